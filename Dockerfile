# syntax=docker/dockerfile:1
# Images of the Sluice services for docker-compose: one build stage compiles the services' jars, then one small
# runtime stage per service (docker build --target mqtt-bridge|stream-processor|clickhouse-sink).
# BuildKit keeps Maven's repository in a cache between builds, so a rebuild downloads nothing it already has.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
# Every module of the reactor (pom.xml <modules>; ComposeDockerfileTest checks the list), as Maven reads them all.
COPY schemas schemas
COPY service-runtime service-runtime
COPY clickhouse-access clickhouse-access
COPY mqtt-bridge mqtt-bridge
COPY stream-processor stream-processor
COPY clickhouse-sink clickhouse-sink
COPY test-servers test-servers
COPY load-tests load-tests
COPY cli cli
COPY ops ops
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -Dmaven.test.skip=true -pl mqtt-bridge,stream-processor,clickhouse-sink -am package

FROM eclipse-temurin:17-jre AS runtime
# The compose healthchecks call curl (the Temurin images ship it); fail the build here rather than every check later.
RUN curl --version >/dev/null && useradd --system --uid 10001 sluice
USER sluice
WORKDIR /app
# A default; docker-compose.yml sizes each service's heap against its memory limit.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70"

FROM runtime AS mqtt-bridge
COPY --from=build /src/mqtt-bridge/target/mqtt-bridge-*-all.jar /app/service.jar
EXPOSE 1883 8083 8080
ENTRYPOINT ["java", "-jar", "/app/service.jar"]

FROM runtime AS stream-processor
COPY --from=build /src/stream-processor/target/stream-processor-*-all.jar /app/service.jar
EXPOSE 8081
ENTRYPOINT ["java", "-jar", "/app/service.jar"]

FROM runtime AS clickhouse-sink
COPY --from=build /src/clickhouse-sink/target/clickhouse-sink-*-all.jar /app/service.jar
EXPOSE 8082
ENTRYPOINT ["java", "-jar", "/app/service.jar"]
