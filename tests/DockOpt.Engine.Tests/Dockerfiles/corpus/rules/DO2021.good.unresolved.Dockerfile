FROM debian:bookworm-slim
# $TARGET_DIR has no known value here: never guessed at
COPY app.sh $TARGET_DIR
