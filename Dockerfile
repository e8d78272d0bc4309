# fluxstatus image: a Release build on Debian 12, run as a non-root user on Debian 12 slim.
# The root file system can be mounted read-only: the service writes only to the data volume
# /var/lib/fluxstatus (the SQLite database) and reads its config from /etc/fluxstatus.
#   docker build --build-arg FLUXSTATUS_GIT_COMMIT=$(git rev-parse --short HEAD) -t fluxstatus .

FROM debian:12-slim AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY CMakeLists.txt ./
COPY cmake cmake
COPY migrations migrations
COPY core core
COPY store store
COPY ingest ingest
COPY dispatch dispatch
COPY replay replay
COPY app app
COPY bench bench
# Not built into the image, but CMake configures every target, and bench/ and the quickstart's
# fake-git-host program take sources from here.
COPY tests/support tests/support
# There is no .git in the build context: the commit comes in as a build argument, and the
# build date from SOURCE_DATE_EPOCH when set (reproducible builds).
ARG FLUXSTATUS_GIT_COMMIT=unknown
ARG SOURCE_DATE_EPOCH
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFLUXSTATUS_GIT_COMMIT="${FLUXSTATUS_GIT_COMMIT}" \
 && cmake --build build --target fluxstatus -j "$(nproc)"

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates libcurl4 libfmt9 libprometheus-cpp-core1.0 libspdlog1.10 libsqlite3-0 libssl3 libyaml-cpp0.7 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 65532 fluxstatus \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /var/lib/fluxstatus --shell /usr/sbin/nologin fluxstatus \
 && mkdir -p /var/lib/fluxstatus /etc/fluxstatus \
 && chown 65532:65532 /var/lib/fluxstatus
COPY --from=build /src/build/fluxstatus /usr/local/bin/fluxstatus
COPY deploy/fluxstatus.yaml /etc/fluxstatus/fluxstatus.yaml
# Every verb finds the config without --config, e.g. `kubectl exec deploy/fluxstatus --
# fluxstatus status` (the working directory is the data volume, which has no fluxstatus.yaml).
# The Deployment mounts its ConfigMap over /etc/fluxstatus.
ENV FLUXSTATUS_CONFIG=/etc/fluxstatus/fluxstatus.yaml
USER 65532:65532
WORKDIR /var/lib/fluxstatus
VOLUME ["/var/lib/fluxstatus"]
EXPOSE 9595
ENTRYPOINT ["/usr/local/bin/fluxstatus", "--config", "/etc/fluxstatus/fluxstatus.yaml", "serve"]
