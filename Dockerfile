# Gatehouse container image.
#   docker build -t gatehouse .
#   docker run --env-file env.conf -p 8080:8080 gatehouse
# Settings come from the environment with APIM's dotted names (config.service.endpoint, ...), which is why the
# entrypoint execs java directly: a POSIX shell such as dash drops environment variables with dots in their names.

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:21-jre
LABEL org.opencontainers.image.title="Gatehouse" \
      org.opencontainers.image.description="Self-hosted API gateway speaking Azure API Management's model"
# UID 1001, as APIM's self-hosted gateway. The root filesystem can be read-only: the gateway writes only to the
# configuration backup (/apim/config) and /tmp.
RUN groupadd --system --gid 1001 gatehouse \
 && useradd --system --uid 1001 --gid 1001 --home-dir /opt/gatehouse --shell /usr/sbin/nologin gatehouse \
 && mkdir -p /apim/config /apim/plugins \
 && chown 1001:1001 /apim/config
COPY --from=build /src/distribution/target/gatehouse/lib/ /opt/gatehouse/lib/
COPY --from=build /src/distribution/jvm.options /opt/gatehouse/jvm.options
# Policy plugins: the sample ships here; mount your own jars over it (docs/writing-a-policy.md).
COPY --from=build /src/distribution/target/gatehouse/plugins/ /apim/plugins/
ENV POLICY_PLUGINS_PATH=/apim/plugins
USER 1001:1001
VOLUME ["/apim/config", "/tmp"]
EXPOSE 8080 8081
# Probes: GET /status-0123456789abcdef (liveness) and /internal-status-0123456789abcdef (readiness) on :8080.
ENTRYPOINT ["java", "@/opt/gatehouse/jvm.options", "-cp", "/opt/gatehouse/lib/*", "io.gatehouse.gateway.GatewayMain", "run"]
