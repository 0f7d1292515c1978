FROM registry.example.com/base:1.0
COPY --from=registry.example.com/tool:1.0 /tool /tool
