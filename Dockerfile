# Engram container image. Build:  docker build -t engram .
# Run one node:  docker run -p 8080:8080 -v engram-data:/var/lib/engram -e ENGRAM_MYSQL_HOST=... engram
# Clustered nodes, roles and the full stack: deploy/compose.yaml and docs/deploy.md.
#
# The image runs the same entry point as a checkout, bin/engram serve, on the same layout: compiled classes in
# target/classes, the runtime classpath in target/classpath.txt (here pointing at jars in target/lib instead of
# a Maven repository) and cluster.xml at the root. ENGRAM_NO_BUILD=1 keeps bin/engram from looking for sources
# or Maven.

# ---- build: compile and collect the runtime jars ----
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# dependencies first, so that a source change does not download them again
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src/main src/main
RUN mvn -B -q -DskipTests compile \
      dependency:copy-dependencies dependency:build-classpath \
      -DincludeScope=runtime -Dmdep.prependGroupId=true \
      -DoutputDirectory=target/lib -Dmdep.prefix=target/lib -Dmdep.outputFile=target/classpath.txt

# ---- run: JRE only, unprivileged ----
FROM eclipse-temurin:17-jre-jammy
# curl for the health check; a home directory because the tokenizer of the local ONNX model unpacks its
# native library under ~/.djl.ai
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 engram \
 && useradd --system --uid 10001 --gid engram --create-home --home-dir /home/engram --shell /usr/sbin/nologin engram \
 && mkdir -p /var/lib/engram \
 && chown engram:engram /var/lib/engram
WORKDIR /opt/engram
COPY --from=build /src/target/lib target/lib
COPY --from=build /src/target/classes target/classes
COPY --from=build /src/target/classpath.txt target/classpath.txt
COPY bin/engram bin/engram
COPY cluster.xml cluster.xml

ENV ENGRAM_NO_BUILD=1 \
    ENGRAM_DATA_DIR=/var/lib/engram \
    ENGRAM_JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
USER engram
VOLUME /var/lib/engram
# 8080: HTTP and WebSocket API, /health/live, /metrics (nodes with the gateway role)
# 5701: Hazelcast membership (the clustered event bus itself listens on a port Vert.x picks)
EXPOSE 8080 5701
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${ENGRAM_HTTP_PORT:-8080}/health/live" > /dev/null || exit 1
# bin/engram ends in exec java, so the JVM is PID 1 and stops cleanly on SIGTERM
ENTRYPOINT ["/opt/engram/bin/engram"]
CMD ["serve", "--config", "production.json"]
