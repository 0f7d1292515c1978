COPY --from=assets /dist /srv/www
