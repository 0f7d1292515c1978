FROM nginx:1.27
USER 101
HEALTHCHECK --interval=30s CMD curl -fs http://localhost/ || exit 1
