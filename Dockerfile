# Images of the Sluice services for docker-compose: one build stage compiles every jar, then one
# small runtime stage per service (docker build --target mqtt-bridge|stream-processor|clickhouse-sink).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY schemas schemas
COPY service-runtime service-runtime
COPY clickhouse-access clickhouse-access
COPY mqtt-bridge mqtt-bridge
COPY stream-processor stream-processor
COPY clickhouse-sink clickhouse-sink
COPY test-servers test-servers
COPY load-tests load-tests
COPY cli cli
RUN mvn -B -q -Dmaven.test.skip=true package

FROM eclipse-temurin:17-jre AS runtime
RUN useradd --system --uid 10001 sluice
USER sluice
WORKDIR /app
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70"

FROM runtime AS mqtt-bridge
COPY --from=build /src/mqtt-bridge/target/mqtt-bridge-*-all.jar /app/service.jar
EXPOSE 1883 8080
ENTRYPOINT ["java", "-jar", "/app/service.jar"]

FROM runtime AS stream-processor
COPY --from=build /src/stream-processor/target/stream-processor-*-all.jar /app/service.jar
EXPOSE 8081
ENTRYPOINT ["java", "-jar", "/app/service.jar"]

FROM runtime AS clickhouse-sink
COPY --from=build /src/clickhouse-sink/target/clickhouse-sink-*-all.jar /app/service.jar
EXPOSE 8082
ENTRYPOINT ["java", "-jar", "/app/service.jar"]
