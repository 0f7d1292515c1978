#!/bin/sh
# Creates a build context whose tar exercises every header case of the packer: modes (setuid, sticky, 0600, 0755),
# empty and multi-chunk files, a ustar prefix/name split, PAX path (long name, long path, non-ASCII), PAX linkpath
# (long and non-ASCII targets), a dangling symlink, a hard link, a FIFO, a pre-1970 mtime (PAX mtime), .dockerignore
# exclusions with an exception. Every mtime is fixed so the tar is the same on every run.
# cli-tar-edge-context.tar next to this script is what the docker CLI (28.2, legacy builder) sent for this context.
set -e
umask 022
D="$1"
mkdir -p "$D"
cd "$D"
printf 'FROM scratch\nCOPY . /\n' > Dockerfile
printf '*.tmp\n!keep.tmp\nskipped/\n' > .dockerignore
printf 'plain\n' > plain.txt
printf '#!/bin/sh\necho hi\n' > run.sh && chmod 0755 run.sh
printf 'secret' > private.txt && chmod 0600 private.txt
printf 'suid' > suid.bin && chmod 4755 suid.bin
: > empty.txt
head -c 70000 /dev/zero | tr '\0' 'a' > big.txt
mkdir sticky && chmod 1777 sticky
mkdir emptydir
d60=$(printf '%060d' 0 | tr 0 d)
e50=$(printf '%050d' 0 | tr 0 e)
f30=$(printf '%030d' 0 | tr 0 f)
mkdir -p "$d60/$e50"
printf 'split' > "$d60/$e50/$f30.txt"
n120=$(printf '%0120d' 0 | tr 0 n)
printf 'long name' > "$n120"
p90=$(printf '%090d' 0 | tr 0 p)
mkdir -p "deep/$p90/$p90/$p90"
printf 'long path' > "deep/$p90/$p90/$p90/x.txt"
printf 'utf8' > 'café.txt'
ln -s plain.txt link-short
ln -s "$(printf '%0150d' 0 | tr 0 t)" link-long
ln -s 'café.txt' link-utf8
ln -s nowhere link-dangling
ln plain.txt hard.txt
mkfifo fifo
printf 't' > a.tmp
printf 'k' > keep.tmp
mkdir skipped && printf 's' > skipped/x
printf 'old' > old.txt
find . -mindepth 1 -exec touch -h -d @1000000000 {} +
touch -h -d '1960-01-01 00:00:00 UTC' old.txt
