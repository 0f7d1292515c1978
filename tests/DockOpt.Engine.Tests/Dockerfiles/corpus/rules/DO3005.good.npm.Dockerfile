FROM node:20-slim
RUN npm install --loglevel warn @acme/widgets@2.1.0 left-pad@1.3.0 ./vendor/tool-1.0.0.tgz git+https://github.com/acme/tools.git#v1.4.0
