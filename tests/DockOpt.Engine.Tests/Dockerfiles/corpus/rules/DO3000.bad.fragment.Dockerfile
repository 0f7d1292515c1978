# expect-at: 2:5-2:7
RUN cd /srv/www && ./configure
