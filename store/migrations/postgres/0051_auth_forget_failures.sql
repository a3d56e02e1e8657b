-- Failed-login counts a day old are deleted as new failures are recorded
-- (auth.ForgetFailuresAfter); the index makes that a range scan.
CREATE INDEX auth_login_failures_by_last ON auth_login_failures (last_failure);
