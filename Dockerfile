# fleetbot: the Fleet Management runbook as a Slack bot.
# Build: docker build -t fleetbot .   Run: docker run -p 3000:3000 --env-file .env fleetbot

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24-bookworm-slim
# pg_dump/pg_restore 15 for db backup and db restore, in /usr/lib/postgresql/15/bin (FLEETBOT_PG_BIN_DIR's
# default): PostgreSQL 15 is the version the fleet database runs, and pg_dump refuses a newer server.
# DejaVu: the font /fleet metrics draws its chart's text with (resvg draws no text without one).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-15 ca-certificates fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    FLEETBOT_DATA_DIR=/data \
    FLEETBOT_BACKUP_DIR=/data/backups \
    PORT=3000
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY fleetbot.example.yml manifest.yml ./
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node","dist/cli.js","start"]
