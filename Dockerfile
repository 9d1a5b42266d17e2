# liaison-bot in a container: a build stage with the dev dependencies, and a runtime stage with the
# production dependencies and the built code only. The README's "Operations" section shows how to
# run it with compose.yaml (PostgreSQL 15, the data key as a secret). Its steps are the commands CI
# and the README use (test/deploy/dockerfile.test.ts keeps them so).
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY . .
# Installs from the lockfile, patches the PostgreSQL driver (postinstall) and builds dist/ (prepare).
RUN npm ci --no-audit --no-fund
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/dist ./dist
COPY --from=build /app/migrations ./migrations
COPY --from=build /app/locales ./locales
COPY --from=build /app/seed ./seed
# The production dependencies only; prepare finds no TypeScript and keeps the dist/ copied above.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# /data-key holds the data key the bot generates when DATA_KEY is unset (the default DATA_KEY_FILE for
# DATA_DIR=/data), apart from the data: a copy of the /data volume is not a copy of its key.
RUN mkdir -p /data /data-key && chown node:node /data /data-key && chmod 0700 /data /data-key
USER node
VOLUME /data
VOLUME /data-key
CMD ["node", "dist/src/main.js"]
