# Builds `pipeline` in the Swift image and runs it in a slim Debian one.
FROM swift:6.0-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka-dev libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product pipeline --static-swift-stdlib

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends librdkafka1 libpq5 tzdata ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/.build/release/pipeline /usr/local/bin/pipeline
COPY schemas /app/schemas
WORKDIR /app
ENV PIPELINE_MIGRATIONS_DIR=/app/schemas/migrations
ENTRYPOINT ["pipeline"]
