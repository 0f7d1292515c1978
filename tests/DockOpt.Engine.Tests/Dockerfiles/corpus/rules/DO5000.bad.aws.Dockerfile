FROM debian:bookworm-slim
# a documented credential name, although "id" usually marks a harmless value
ARG AWS_ACCESS_KEY_ID
