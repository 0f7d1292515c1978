FROM python:3.11 AS build
RUN pip wheel --no-cache-dir -w /wheels requests==2.32.3
FROM python:3.11-slim
COPY --from=build /wheels /wheels
