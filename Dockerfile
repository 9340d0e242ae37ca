# Switchboard on Debian bookworm: Node 20 from the official image, bubblewrap and Debian's Python
# (numpy, pandas, matplotlib) for code_interpreter's sandbox. Build: docker build -t switchboard .
# Run: see "Deploying" in README.md (the sandbox needs the --security-opt flags given there).

FROM node:20-bookworm-slim AS build
# better-sqlite3 builds from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Dependencies first (cached while package-lock.json is unchanged), without the project's own prepare (the console
# is built below, once its sources are in); then the two packages with install scripts (native SQLite, esbuild).
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 esbuild
COPY . .
RUN npm run build:console && npm prune --omit=dev

FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap python3 python3-numpy python3-pandas python3-matplotlib ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin switchboard \
 && mkdir -p /data && chown switchboard:switchboard /data
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    SWITCHBOARD_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
USER switchboard
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself is PID 1 (not npm), so SIGTERM drains in-flight requests and SIGHUP reloads the YAML.
CMD ["node", "--import", "tsx", "src/main.ts"]
