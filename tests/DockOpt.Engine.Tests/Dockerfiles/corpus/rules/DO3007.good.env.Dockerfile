FROM python:3.12-slim
RUN PIP_NO_CACHE_DIR=1 pip install flask==3.0.3
RUN export PIP_NO_CACHE_DIR=on && pip install gunicorn==22.0.0
ENV PIP_NO_CACHE_DIR=true
RUN pip install requests==2.32.3
