FROM node:20-slim
RUN npm install ~/vendor/widgets
