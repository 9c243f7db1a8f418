# Supervision File: a static, CGO-free binary on a distroless, non-root base.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY third_party ./third_party
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/supfile ./cmd/supfile && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/supfile /usr/local/bin/supfile
# Owned by the nonroot user so a fresh volume is writable.
COPY --from=build --chown=65532:65532 /out/data /data
# Documents and the embedded database live here unless DATABASE_URL and S3 are set.
ENV SUPFILE_ADDR=0.0.0.0:8080 SUPFILE_DATA_DIR=/data SUPFILE_LOG_FORMAT=json
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/supfile"]
CMD ["serve"]
