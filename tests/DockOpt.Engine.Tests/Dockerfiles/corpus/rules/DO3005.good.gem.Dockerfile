FROM ruby:3.3-slim
RUN gem install nokogiri:1.16.5 -- --use-system-libraries true
RUN gem install pg:1.5.6 --no-document
