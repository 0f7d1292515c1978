from debian:bookworm-slim as builder
