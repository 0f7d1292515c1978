# expect-at: 4:1-4:9
FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm ci
