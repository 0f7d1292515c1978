FROM python:3.12-slim
RUN pip install --no-cache-dir git+https://github.com/acme/client.git#egg=client
RUN pipx install ruff
