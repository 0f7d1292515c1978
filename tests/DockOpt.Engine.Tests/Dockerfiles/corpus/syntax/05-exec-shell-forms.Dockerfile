FROM debian:bookworm-slim
RUN ["/bin/sh", "-c", "echo exec"]
RUN echo shell
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENTRYPOINT ["/usr/bin/env"]
CMD ["echo", "x"]
