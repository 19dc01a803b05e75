#!/bin/sh
# emit.sh BYTES SEQ: writes BYTES of line-structured output (67-byte lines naming the job), as a
# chatty build step or test suite would. Used for the grouped-output memory case.
yes "job $2: the quick brown fox jumps over the lazy dog, 0123456789 abcdef" | head -c "$1"
