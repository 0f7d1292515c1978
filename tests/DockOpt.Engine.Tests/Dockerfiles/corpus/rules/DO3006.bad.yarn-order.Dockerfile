FROM node:20-slim
RUN yarn cache clean && yarn install
