# expect-at: 3:6-3:20
FROM debian:bookworm-slim
COPY --from=builder /a /a
