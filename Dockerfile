# Builds `pipeline` in the Swift image and runs it in a slim Debian one (the same release, so the
# C libraries it links, librdkafka and libpq, are the ones it was built against).
# The toolchain matches the one the repository is developed and tested with: some dependencies
# declare swift-tools-version 6.2.
FROM swift:6.3-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka-dev libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
# The manifest names the test targets: their folders must exist to load it.
COPY Tests ./Tests
# Only the product: the benchmark (`pipeline-bench`) and the test support are not its dependencies, so
# neither is built or shipped.
RUN swift build -c release --product pipeline --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/pipeline" /out/pipeline

FROM debian:bookworm-slim
# bash: the compose healthchecks speak HTTP through /dev/tcp. libcurl4: Foundation's URLSession, which the
# pollers, the backfill's Export API client and the digest use, loads it at run time.
# /var/lib/pipeline: the ingest server's --state-dir; /var/lib/pipeline/poll: the pollers' (named volumes take these owners).
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka1 libpq5 libcurl4 tzdata ca-certificates bash \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home --uid 10001 pipeline \
    && install -d -o pipeline /var/lib/pipeline /var/lib/pipeline/poll
COPY --from=build /out/pipeline /usr/local/bin/pipeline
COPY schemas /app/schemas
WORKDIR /app
ENV PIPELINE_MIGRATIONS_DIR=/app/schemas/migrations
USER pipeline
# 8080: the ingest server (webhooks, /metrics); 9100: /metrics and /healthz of workers and pollers.
EXPOSE 8080 9100
ENTRYPOINT ["pipeline"]
