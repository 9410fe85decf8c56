# Shopstream silo: one Orleans silo of a cluster whose membership lives in PostgreSQL.
# Build from the repository root (the build context must be the root: the projects, *.props and sql/ are needed):
#   docker build -f deploy/silo.Dockerfile -t shopstream-silo .
# Plain Dockerfile syntax only, so both BuildKit and the legacy builder (docker-compose 1.29) can build it.
ARG DOTNET_VERSION=10.0

# Only the project files (and any nested *.props/*.targets), in their folders: the restore layer below
# stays cached until one of them changes, and a project added under src/ needs no edit here.
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS projects
WORKDIR /src
COPY src/ src/
RUN find src -type f ! -name '*.csproj' ! -name '*.props' ! -name '*.targets' -delete \
 && find src -depth -type d -empty -delete

# The web console's ECharts, from npm as package-lock.json pins it (dependencies only: s3rver is a test tool).
FROM node:22-bookworm-slim AS npm
WORKDIR /npm
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props Shopstream.sln ./
COPY --from=projects /src/src/ src/
RUN dotnet restore src/Silo/Silo.csproj
COPY src/ src/
COPY sql/ sql/
# src/Silo/Silo.csproj copies node_modules/echarts/dist/echarts.min.js into the console's files (wwwroot/console/lib).
COPY --from=npm /npm/node_modules/echarts/ node_modules/echarts/
# Framework-dependent and RID-neutral: runtimes/<rid>/native keeps the librdkafka builds (the app loads
# centos8-librdkafka.so, which needs only glibc). No apphost: the entry point is `dotnet shopstream-silo.dll`.
RUN dotnet publish src/Silo/Silo.csproj -c Release -o /app --no-restore -p:UseAppHost=false

# .NET 10's default aspnet image is Ubuntu 24.04; it has bash, and the non-root user `app` ($APP_UID, 1654).
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    SHOPSTREAM_HOME=/app
WORKDIR /app
# Owned by root and not writable by the app user: the app writes nothing to its own directory.
COPY --from=build /app/ ./
# 8080 HTTP (health, metrics, dashboard, API), 11111 silo-to-silo, 30000 Orleans client gateway.
EXPOSE 8080 11111 30000
USER $APP_UID
# No curl in the image: bash's /dev/tcp speaks just enough HTTP. Assumes the default --http-port 8080.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=5 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/live HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && IFS= read -r -t 4 status <&3 && [[ $status == *' 200 '* ]]"]
ENTRYPOINT ["dotnet", "/app/shopstream-silo.dll"]
# In a container HTTP must listen beyond loopback; the dashboard then needs Shopstream__DashboardApiKey.
# Settings come from the environment (Shopstream__Postgres, Shopstream__Kafka, ...); docker-compose.yml also
# passes --advertised-ip with the container's own address.
CMD ["--http-bind", "0.0.0.0"]
