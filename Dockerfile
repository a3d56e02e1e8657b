# The reference server in a container: built with the same command CI
# builds it with (go build ./examples/server; CGO is off, as the SQLite
# driver is pure Go), then copied alone into distroless/static, run as
# the non-root user.
#
#   docker build -t vetlink-server .
#   docker run --rm -p 8080:8080 -v vetlink-data:/data vetlink-server
#
# See the README, section "Containers", and compose.yaml.

FROM golang:1.26 AS build
WORKDIR /src
# The module's dependencies first, so that a source change reuses them.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/vetlink-server ./examples/server \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vetlink-server /usr/local/bin/vetlink-server
# The SQLite database and the generated key live here by default; with
# PostgreSQL (VETLINK_DB=postgres://...) nothing is written.
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
WORKDIR /data
ENV VETLINK_ADDR=:8080 \
    VETLINK_DB=/data/vetlink.db
EXPOSE 8080 2575
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s \
  CMD ["/usr/local/bin/vetlink-server", "probe", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["/usr/local/bin/vetlink-server"]
