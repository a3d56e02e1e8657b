-- restapi: the integration API lists a farm's cases by when they started
-- (cases?farm=M&initiation__gte=T). Without this index both engines read
-- every case of the table to answer it and to count the matches; with it,
-- the count reads only the index and the page only the matching rows.
CREATE INDEX rx_cases_farm_initiation ON rx_cases (mor_id, initiation);
