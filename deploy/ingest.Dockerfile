# Shopstream ingest: the HTTP event endpoint (`ingest-api`, the default command) and the one-shot snapshot
# ingest (`ingest --data /app/samples/apis`). Same app as the silo image, plus the bundled samples.
# Build from the repository root:
#   docker build -f deploy/ingest.Dockerfile -t shopstream-ingest .
# The build stages are the silo image's, instruction for instruction, so the two builds share their cache.
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS projects
WORKDIR /src
COPY src/ src/
RUN find src -type f ! -name '*.csproj' ! -name '*.props' ! -name '*.targets' -delete \
 && find src -depth -type d -empty -delete

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props Shopstream.sln ./
COPY --from=projects /src/src/ src/
RUN dotnet restore src/Cli/Cli.csproj
COPY src/ src/
COPY sql/ sql/
RUN dotnet publish src/Cli/Cli.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
# SHOPSTREAM_HOME=/app: `ingest` without --data reads /app/samples/apis.
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    SHOPSTREAM_HOME=/app
WORKDIR /app
COPY --from=build /app/ ./
COPY samples/ samples/
EXPOSE 8090
USER $APP_UID
# No HEALTHCHECK here: the image also runs the one-shot ingest. docker-compose.yml checks ingest-api's /health.
ENTRYPOINT ["dotnet", "/app/shopstream.dll"]
CMD ["ingest-api", "--port", "8090", "--bind", "0.0.0.0"]
