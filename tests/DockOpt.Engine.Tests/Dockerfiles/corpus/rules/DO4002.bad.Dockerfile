# expect-at: 2:6-2:17
FROM python:3.11
CMD ["python3"]
