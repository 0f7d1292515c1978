FROM python:3.12-slim
RUN pip install --no-cache-dir --trusted-host pypi.internal --root-user-action ignore flask==3.0.3 ./dist/app-1.0.tar.gz
RUN pip install --no-cache-dir -c https://example.org/constraints.txt requests
