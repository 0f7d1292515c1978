FROM node:20-slim
# a scoped name without @version and a git URL without #tag are not pinned
RUN npm install @acme/widgets git+https://github.com/acme/tools.git
