# expect-at: 3:1-3:7
FROM debian:bookworm-slim
FROOBL something
RUN echo still linted
