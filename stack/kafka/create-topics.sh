#!/bin/sh
# GENERATED from Topics.ALL (schemas/src/main/java/io/sluice/schemas/kafka/Topics.java): do not edit. Regenerate:
#   mvn -B -q -pl ops test -Dtest=ComposeKafkaTopicsTest -Dsluice.regenerate=true
# Creates every Sluice topic that does not exist yet, as the services would (docker-compose.yml's kafka-topics
# service runs it in an apache/kafka container). BOOTSTRAP: the broker, kafka:19092 under compose.
set -eu
bootstrap="${BOOTSTRAP:-kafka:19092}"
create() {
    topic=$1
    partitions=$2
    shift 2
    /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
        --replication-factor 1 --partitions "$partitions" --topic "$topic" "$@"
}
# create NAME PARTITIONS [--config KEY=VALUE]...
create sluice.telemetry.raw 12 --config min.insync.replicas=1 --config retention.ms=604800000
create sluice.deadletter 12 --config retention.ms=604800000
create sluice.device.sessions 12 --config retention.ms=604800000
create sluice.telemetry.1m 12 --config retention.ms=604800000
create sluice.telemetry.1h 12 --config retention.ms=604800000
create sluice.anomalies 12 --config retention.ms=604800000
