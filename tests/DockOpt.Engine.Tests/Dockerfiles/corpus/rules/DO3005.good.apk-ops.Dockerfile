FROM alpine:3.20
RUN apk add --no-cache "flex>=2.6.4-r6" "python3<3.13" "libbz2=~1.0.8"
