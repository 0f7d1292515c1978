# resolved ARG/ENV: hadolint reports DL3000 on $HOME-style paths it cannot resolve
FROM debian:bookworm-slim
ENV APP_HOME=/srv/app
WORKDIR $APP_HOME
WORKDIR sub
