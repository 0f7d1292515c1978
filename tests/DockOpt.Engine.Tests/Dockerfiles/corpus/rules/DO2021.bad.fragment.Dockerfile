COPY app.sh bin/app.sh
