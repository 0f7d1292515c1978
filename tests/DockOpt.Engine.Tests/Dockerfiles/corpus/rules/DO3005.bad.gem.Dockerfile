FROM ruby:3.3-slim
RUN gem i rake:13.2.1 rubocop
