# fanout's job runner, protocol 1: forks jobs as their own process groups on
# behalf of one fanout process, relays their output, reports how they ended,
# and terminates every group it started when fanout goes away (its control
# input closes, or a write to fanout fails), however fanout went.
#
# One self-contained file that needs only Perl 5.10 (Time::HiRes when present,
# for millisecond runtimes). It assumes nothing about the machine it runs on
# beyond POSIX process groups; /proc is used when present, to tell a group of
# zombies from a live one. Run as `perl helper.pl`, or sent to
# `perl -e` on stdin by the bootstrap in runner/helperLayer.ts.
#
# Frames, both ways: type (1 byte), id (u32 big-endian), length (u32
# big-endian), payload (length bytes). Strings are bytes, never re-encoded.
#
# fanout -> runner
#   V 0   base environment: NUL-separated NAME=VALUE entries (replaces the last one)
#   R id  run: NUL-separated fields: flags, termination sequence, cwd, argc,
#         argv[0..argc-1] (argv[0] is looked up in PATH), with flag `f` a fallback
#         argc and argv run when argv cannot be (a plain command tried without
#         its shell first), then NAME=VALUE entries set on top of the base
#         environment. flags: `o` relay stdout, `e` relay stderr (otherwise only
#         counted); stdin is /dev/null. Termination sequence:
#         SIGNAL,MS,SIGNAL,MS... with signal names (TERM, KILL, ...)
#   T id  terminate the job's group with its sequence; payload `c` (cancel):
#         relay nothing more and close its pipes as soon as the group is gone
#   A id  acknowledge: payload is a decimal count of relayed bytes consumed
#   G id  guard a group this runner did not fork (a job fanout forked itself
#         while the runner was starting): payload "PGID TERMINATION-SEQUENCE";
#         it is terminated with the others if fanout goes away
#   U id  stop guarding it (that job has ended); no frame answers G or U
#   end of input: terminate every group, then exit
#
# runner -> fanout
#   H 0   hello: "fanout-runner 1 PID" (protocol version 1)
#   S id  started: payload is the job's pid (= its process group)
#   F id  could not start: ERRNO-NAME NUL message; no D follows
#   O id  stdout bytes;  E id  stderr bytes
#   D id  done: "CODE SIGNAL RUNTIME-MS STDOUT-BYTES STDERR-BYTES", CODE or
#         SIGNAL is `-`; sent once the job has exited, nothing is left in its
#         group and its pipes are closed (a grandchild that left the group
#         keeps them open for at most 200 ms)
#
# Flow: at most 1 MiB per job is relayed and not yet acknowledged; past that
# the runner stops reading that job's pipes, so the job waits, not memory.
use strict;
use warnings;
# a job that cannot be exec'd is reported in an F frame, not warned about on its stderr
no warnings "exec";
use Errno qw(EINTR EAGAIN EPERM);

# POSIX.pm and Config.pm cost more to load than all the rest (40 and 10 ms on a
# busy 2-core machine): WNOHANG is 1 wherever it has been looked up, and signal
# names are only needed to stop a job or to report a signal.
my $WNOHANG = $^O =~ /^(?:linux|darwin|freebsd|openbsd|netbsd|dragonfly)$/ ? 1 : do { require POSIX; POSIX::WNOHANG() };

$0 = "fanout-runner";
my $version = 1;
my $window = 1 << 20;
my $chunk = 65536;
my $grace_ms = 200;
my $kill_patience_ms = 5000;
my $reap_poll = 0.1;
my $hires = eval { require Time::HiRes; 1 };
sub now_ms { $hires ? Time::HiRes::time() * 1000 : time() * 1000 }

my (%signum, %signame);
sub load_signals {
  return if %signum;
  require Config;
  my @names = split ' ', $Config::Config{sig_name};
  my @nums = split ' ', $Config::Config{sig_num};
  for my $i (0 .. $#names) { $signum{ $names[$i] } //= $nums[$i] }
  %signame = reverse %signum;
  $signame{ $signum{$_} } = $_ for qw(TERM KILL INT HUP QUIT CHLD ABRT SEGV BUS);
}

my $has_proc = -r "/proc/self/stat";

# What a forked child does before exec is paid for per job: every page of Perl's code it
# runs is faulted in again (the fork shares no page table for code), every page it writes
# is copied, and all of it is torn down at exec. Done once here rather than in each child:
# - fanout's frames are read from a copy of stdin, and fd 0 is /dev/null for every job;
# - a failed exec binds execvp (and the reopen of STDIN dup2), which each child would
#   otherwise look up again through the dynamic linker.
# (measured: 83 page faults per child before exec down to 56, ~0.1 ms of CPU per job)
open(my $control, "<&", \*STDIN) or die "fanout-runner: stdin: $!\n";
open(STDIN, "<", "/dev/null") or die "fanout-runner: /dev/null: $!\n";
exec { "/" } "/";

# A child whose exec fails says why on this pipe, shared by all (one write, atomic), then
# kills itself; the runner reads it when it reaps a child killed by a signal. A pipe per
# job, closed by a successful exec, cost 9 system calls and a turn of the main loop a job.
pipe(my $exec_r, my $exec_w) or die "fanout-runner: pipe: $!\n";

# What the runner does per job is what it costs: after each fork, every page it writes
# is copied or at least faulted on again (measured: ~100 page faults per job, most of
# its CPU time, against ~48 for a bare fork/exec/waitpid loop). So the work of a turn of
# the main loop follows what happened in it, never the number of jobs: the select mask
# is kept as pipes open and close, ready pipes are found from select's answer through
# @fd_job, and only jobs with a timer running are visited when none has happened.
#
# A job is one flat hash: id, pid, start, termseq, O and E (its output pipes, while
# open), rO and rE (relay them), bO and bE (bytes read), unacked; then, as they happen:
# status, end, terminating, group_gone, cancel, the termination sequence's steps, step,
# step_end, pause, poll_at and give_up, grace_end, and done once it has left %jobs.
my %jobs;      # id -> job
my %by_pid;    # pid -> job, until reaped
my %timed;     # id -> job with a poll_at or grace_end
my @fd_job;    # fd -> job, for every pipe being read
my @fd_kind;   # fd -> "O" or "E"
my @check;     # jobs that may have finished since finish_checked last looked
my $rin = "";  # select's read mask
my $control_open = 1;
my $inbuf = "";
my $outbuf = "";
my $fanout_gone = 0;

# SIGCHLD wakes the select through a pipe. That covers a signal that comes while Perl code
# runs, not one that comes in the instant before select blocks: Perl runs a handler
# between ops, not in the signal, so that one is only handled once select returns. While a
# job has not been reaped, select therefore waits at most $reap_poll seconds (seen: a run
# of 1000 jobs that never ended, its last job a zombie nobody waited for).
pipe(my $wake_r, my $wake_w) or die "fanout-runner: pipe: $!\n";
my $wake_fd = fileno $wake_r;
vec($rin, $wake_fd, 1) = 1;
vec($rin, fileno($control), 1) = 1;
$SIG{CHLD} = sub { syswrite($wake_w, "x") };
# Caught, not ignored: exec resets a caught signal to its default, so a job needs no
# %SIG assignments of its own before exec (an ignored one would stay ignored in the job).
$SIG{PIPE} = $SIG{HUP} = sub { };
my $stop_requested = 0;
my $runner_pid = $$;
$SIG{TERM} = $SIG{INT} = sub {
  # A job that has not exec'd yet still has this handler: the signal was meant for it, so it
  # dies of it, as it would once exec has reset the handler.
  if ($$ != $runner_pid) { $SIG{ $_[0] } = "DEFAULT"; kill $_[0], $$; return }
  $stop_requested = 1;
  syswrite($wake_w, "x");
};

sub send_frame {
  my ($type, $id, $payload) = @_;
  $outbuf .= pack("aNN", $type, $id, length $payload) . $payload;
}

sub flush_out {
  while (length $outbuf > 0 && !$fanout_gone) {
    my $n = syswrite(STDOUT, $outbuf);
    if (defined $n) { substr($outbuf, 0, $n) = ""; next }
    next if $! == EINTR;
    if ($! == EAGAIN) { my $w = ""; vec($w, fileno(STDOUT), 1) = 1; select(undef, $w, undef, 0.05); next }
    fanout_left();
  }
  $outbuf = "" if $fanout_gone;
}

sub fanout_left {
  $fanout_gone = 1;
  $control_open = 0;
  vec($rin, fileno($control), 1) = 0;
  $outbuf = "";
  for my $job (values %jobs) {
    $job->{cancel} = 1;
    start_term($job);
    push @check, $job;
  }
}

# Whether anything but zombies is left in the group. /proc is read once per turn of the
# main loop and shared by every group looked at in it: stopping N jobs is then O(N), not
# N scans of every process.
my $proc_groups;
sub group_alive {
  my ($pg) = @_;
  return 0 if !kill(0, -$pg) && $! != EPERM;
  return 1 unless $has_proc;
  $proc_groups //= scan_groups();
  return $proc_groups->{$pg} ? 1 : 0;
}

sub scan_groups {
  my %live;
  opendir(my $dh, "/proc") or return {};
  while (defined(my $pid = readdir $dh)) {
    next unless $pid =~ /^\d+$/;
    open(my $fh, "<", "/proc/$pid/stat") or next;
    my $stat = <$fh>;
    next unless defined $stat;
    my @f = split ' ', substr($stat, rindex($stat, ")") + 2);
    $live{ $f[2] } = 1 if $f[0] ne "Z" && $f[0] ne "X";
  }
  return \%live;
}

sub parse_termseq {
  my ($text) = @_;
  load_signals();
  my @w = split /,/, $text;
  my @steps;
  while (@w >= 2) {
    my ($name, $ms) = (shift @w, shift @w);
    $name =~ s/^SIG//;
    push @steps, [$signum{$name} // $signum{TERM}, $ms + 0];
  }
  return \@steps;
}

# Every fork flushes every PerlIO handle first, and the buffer layer's flush writes to
# the handle even with nothing to flush: a page written, and faulted on, per handle and
# fork. Handles only ever used with sysread and syswrite do without that layer.
sub unbuffered { binmode($_, ":pop") for @_ }

# Pipes being read: their fd is in the mask and maps to its job.
sub watch {
  my ($job, $kind) = @_;
  my $fd = fileno $job->{$kind};
  $fd_job[$fd] = $job;
  $fd_kind[$fd] = $kind;
  vec($rin, $fd, 1) = 1;
}

sub close_pipe {
  my ($job, $kind) = @_;
  my $fh = delete $job->{$kind} or return;
  my $fd = fileno $fh;
  vec($rin, $fd, 1) = 0;
  $fd_job[$fd] = undef;
  close $fh;
}

# Flow control: a job with a window's worth of output not acknowledged is not read.
sub read_output {
  my ($job, $on) = @_;
  for my $kind ("O", "E") { vec($rin, fileno $job->{$kind}, 1) = $on if $job->{$kind} }
}

# The R frames of one read are forked back to back, their bookkeeping done after the last
# fork: a page the runner writes while a child has not exec'd yet is copied for it, and a
# page written once after n forks is copied (and faulted on) once, not n times.
sub start_jobs {
  my @jobs = map { prepare_job(@$_) } @_;
  for my $job (@jobs) {
    # The job's own variables are set around the fork, in %ENV (the base environment), and
    # the child does as little as it can before exec: every page a forked Perl touches is
    # copied (copying the environment in the child cost ~0.3 ms of CPU per job here).
    local @ENV{ @{ $job->{env_names} } } = @{ $job->{env_values} };
    # No sub calls between forks: a Perl sub writes to pages of its own each call (two
    # calls here, to fork a job and read the clock, cost 5-8 page faults a job).
    $job->{start} = $hires ? Time::HiRes::time() * 1000 : time() * 1000;
    my $pid = fork;
    if (defined $pid && $pid == 0) {
      # The child, inline rather than in a sub: a sub call writes pages of its own (7 page
      # faults per child). It never returns.
      setpgrp(0, 0);
      open(STDOUT, ">&", $job->{wO});
      open(STDERR, ">&", $job->{wE});
      exec_failed() if $job->{cwd} ne "" && !chdir $job->{cwd};
      exec { $job->{argv}[0] } @{ $job->{argv} };
      # a plain command run without a shell: if it cannot be, the shell runs it and says why
      exec { $job->{fallback}[0] } @{ $job->{fallback} } if $job->{fallback};
      exec_failed();
    }
    $job->{pid} = $pid // fork_failed($job);
  }
  started($_) for @jobs;
}

# A job's pipes and arguments, before its fork; undef if it cannot have pipes.
sub prepare_job {
  my ($id, $payload) = @_;
  my @f = split /\0/, $payload, -1;
  my ($flags, $termseq, $cwd, $argc) = splice(@f, 0, 4);
  my @argv = splice(@f, 0, $argc);
  my $fallback;
  if (index($flags, "f") >= 0) { my $n = shift @f; $fallback = [splice(@f, 0, $n)] }
  my (@names, @values);
  for (@f) {
    my $eq = index($_, "=");
    next if $eq < 0;
    push @names, substr($_, 0, $eq);
    push @values, substr($_, $eq + 1);
  }
  my $job = {
    id => $id, termseq => $termseq, cwd => $cwd, argv => \@argv, fallback => $fallback,
    env_names => \@names, env_values => \@values,
    rO => index($flags, "o") >= 0, rE => index($flags, "e") >= 0, bO => 0, bE => 0, unacked => 0,
  };
  for my $kind ("O", "E") {
    pipe($job->{$kind}, $job->{"w$kind"}) or return start_failed($id, "EMFILE", "pipe: $!");
    unbuffered($job->{$kind}, $job->{"w$kind"});
  }
  return $job;
}

sub fork_failed {
  my ($job) = @_;
  $job->{fork_error} = ($!{EAGAIN} ? "EAGAIN" : $!{ENOMEM} ? "ENOMEM" : "EAGAIN") . "\0fork: $!";
  return undef;
}

sub started {
  my ($job) = @_;
  close delete $job->{"w$_"} for "O", "E";
  if ($job->{fork_error}) {
    close delete $job->{$_} for "O", "E";
    return send_frame("F", $job->{id}, $job->{fork_error});
  }
  my $pid = $job->{pid};
  # The child puts itself in its own group, but it may not have run yet: until it has, a
  # signal to the group would find no group, and the job would be taken for gone (fanout
  # going away right after an R left the job running). Setting it from this side as well
  # closes that window; it fails harmlessly once the child has exec'd.
  setpgrp($pid, $pid);
  # Whether exec worked is known when the child is reaped (see $exec_r), not waited for
  # here: on a busy machine the child may wait milliseconds for a CPU, and waiting would
  # make every other job wait too.
  watch($job, $_) for "O", "E";
  $jobs{ $job->{id} } = $job;
  $by_pid{$pid} = $job;
  send_frame("S", $job->{id}, $pid);
}

sub exec_failed {
  my $name = "UNKNOWN";
  for my $n (keys %!) { if ($!{$n}) { $name = $n; last } }
  my $report = "$name\0$!";
  syswrite($exec_w, pack("NN", $$, length $report) . $report);
  # no END blocks or buffers to run: kill ourselves rather than load POSIX for _exit
  kill "KILL", $$;
}

# Reports of failed execs, by pid: everything in the pipe, read without waiting.
my %exec_failure;
sub read_exec_failures {
  my $buf = "";
  for (;;) {
    my $r = "";
    vec($r, fileno $exec_r, 1) = 1;
    last unless select($r, undef, undef, 0) > 0;
    my $n = sysread($exec_r, $buf, 65536, length $buf);
    last unless $n;
  }
  while (length $buf >= 8) {
    my ($pid, $len) = unpack("NN", $buf);
    $exec_failure{$pid} = substr($buf, 8, $len);
    substr($buf, 0, 8 + $len) = "";
  }
}

# A child killed by a signal may be one whose exec failed (it kills itself, or a TERM came
# first): then it was no job, only its reason.
sub exec_failed_job {
  my ($job) = @_;
  read_exec_failures();
  my $report = delete $exec_failure{ $job->{pid} } // return 0;
  my ($name, $message) = split /\0/, $report, 2;
  start_failed($job->{id}, $name, $message // "");
  close_pipe($job, $_) for "O", "E";
  forget($job);
  return 1;
}

sub start_failed {
  my ($id, $name, $message) = @_;
  send_frame("F", $id, "$name\0$message");
  return;
}

sub forget {
  my ($job) = @_;
  delete $jobs{ $job->{id} };
  delete $timed{ $job->{id} };
  $job->{done} = 1;
}

sub signal_group {
  my ($job, $sig) = @_;
  kill($sig, -$job->{pid});
}

# The termination sequence: each signal while the group lives, waiting up to its time, polling 1..10 ms.
sub start_term {
  my ($job) = @_;
  return if $job->{terminating} || $job->{group_gone};
  $job->{terminating} = 1;
  $job->{steps} //= parse_termseq($job->{termseq});
  $job->{step} = -1;
  next_step($job, now_ms());
}

sub next_step {
  my ($job, $now) = @_;
  if (!group_alive($job->{pid})) { return group_gone($job) }
  my $step = ++$job->{step};
  if ($step < @{ $job->{steps} }) {
    my ($sig, $ms) = @{ $job->{steps}[$step] };
    signal_group($job, $sig);
    $job->{step_end} = $now + $ms;
  } else {
    $job->{give_up} //= $now + $kill_patience_ms;
    if ($now >= $job->{give_up}) { return group_gone($job) }
    signal_group($job, "KILL");
    $job->{step_end} = $now + 50;
  }
  $job->{pause} = 1;
  $job->{poll_at} = $now + 1;
  $timed{ $job->{id} } = $job;
}

sub poll_term {
  my ($job, $now) = @_;
  if (!group_alive($job->{pid})) { return group_gone($job) }
  if ($now >= $job->{step_end}) { return next_step($job, $now) }
  $job->{pause} = $job->{pause} * 1.5 > 10 ? 10 : $job->{pause} * 1.5;
  my $at = $now + $job->{pause};
  $job->{poll_at} = $at < $job->{step_end} ? $at : $job->{step_end};
}

sub group_gone {
  my ($job) = @_;
  $job->{group_gone} = 1;
  delete $job->{poll_at};
  push @check, $job;
}

sub reap {
  while ((my $pid = waitpid(-1, $WNOHANG)) > 0) {
    my $job = delete $by_pid{$pid} or next;
    $job->{end} = now_ms();
    $job->{status} = $?;
    next if ($? & 127) && exec_failed_job($job);
    push @check, $job;
    next if $job->{terminating} || $job->{done};
    # the common case: the group ended with its leader
    if (!kill(0, -$pid) && $! != EPERM) { group_gone($job) }
    else { start_term($job) }
  }
}

my $data = "";  # the read buffer, one for all pipes
sub read_pipe {
  my ($job, $kind) = @_;
  my $n = sysread($job->{$kind}, $data, $chunk);
  if (!defined $n) { return if $! == EINTR || $! == EAGAIN; $n = 0 }
  if ($n == 0) { close_pipe($job, $kind); push @check, $job; return }
  $job->{"b$kind"} += $n;
  if ($job->{"r$kind"} && !$job->{cancel}) {
    read_output($job, 0) if $job->{unacked} < $window && $job->{unacked} + $n >= $window;
    $job->{unacked} += $n;
    $outbuf .= pack("aNN", $kind, $job->{id}, $n);
    $outbuf .= $data;
  }
}

sub finish_checked {
  return unless @check;
  my $now = now_ms();
  finish_if_done(shift @check, $now) while @check;
}

sub finish_if_done {
  my ($job, $now) = @_;
  return if $job->{done};
  return unless defined $job->{status} && $job->{group_gone};
  if ($job->{O} || $job->{E}) {
    if ($job->{cancel}) { close_pipe($job, $_) for "O", "E" }
    else {
      $job->{grace_end} //= $now + $grace_ms;
      # a pipe waiting for fanout to catch up is not held by a stray grandchild
      $job->{grace_end} = $now + $grace_ms if $job->{unacked} >= $window;
      $timed{ $job->{id} } = $job;
      return if $now < $job->{grace_end};
      close_pipe($job, $_) for "O", "E";
    }
  }
  my $st = $job->{status};
  load_signals() if $st & 127;
  my ($code, $sig) = ($st & 127) ? ("-", $signame{ $st & 127 } // ($st & 127)) : ($st >> 8, "-");
  my $runtime = sprintf("%.3f", $job->{end} - $job->{start});
  send_frame("D", $job->{id}, "$code $sig $runtime $job->{bO} $job->{bE}") unless $job->{cancel} && $fanout_gone;
  forget($job);
}

# The timers that are due: a termination sequence's next look, the end of a grace period.
sub run_timers {
  my $now = now_ms();
  for my $job (values %timed) {
    poll_term($job, $now) if defined $job->{poll_at} && $now >= $job->{poll_at};
    push @check, $job if defined $job->{grace_end} && $now >= $job->{grace_end};
  }
}

# Seconds to the next timer, undef if none; a job left with none leaves %timed.
sub next_timer {
  my $now = now_ms();
  my $next;
  for my $job (values %timed) {
    my $timed;
    for my $at ($job->{poll_at}, $job->{grace_end}) {
      next unless defined $at;
      $timed = 1;
      $next = $at if !defined $next || $at < $next;
    }
    delete $timed{ $job->{id} } unless $timed;
  }
  return undef unless defined $next;
  return $next > $now ? ($next - $now) / 1000 : 0;
}

sub handle_frame {
  my ($type, $id, $payload) = @_;
  if ($type eq "A") {
    my $job = $jobs{$id} or return;
    my $was = $job->{unacked};
    $job->{unacked} -= $payload;
    $job->{unacked} = 0 if $job->{unacked} < 0;
    if ($was >= $window && $job->{unacked} < $window) {
      read_output($job, 1);
      # a job waiting for fanout to catch up had its grace period restarted all along
      $job->{grace_end} = now_ms() + $grace_ms if defined $job->{grace_end};
    }
  }
  elsif ($type eq "T") {
    my $job = $jobs{$id} or return;
    $job->{cancel} = 1 if index($payload, "c") >= 0;
    start_term($job) unless defined $job->{status} && $job->{group_gone};
    push @check, $job;
  }
  elsif ($type eq "G") {
    my ($pg, $termseq) = split / /, $payload;
    $jobs{$id} = {
      id => $id, pid => $pg + 0, start => now_ms(), termseq => $termseq // "", status => 0,
      bO => 0, bE => 0, unacked => 0,
    };
  }
  elsif ($type eq "U") { my $job = $jobs{$id}; forget($job) if $job && !$job->{terminating} }
  elsif ($type eq "V") { %ENV = map { /^([^=]*)=(.*)\z/s ? ($1, $2) : () } split /\0/, $payload, -1 }
  else { die "fanout-runner: unknown frame type '$type' (protocol $version)\n" }
}

sub read_control {
  my $n = sysread($control, $inbuf, 262144, length $inbuf);
  if (!defined $n) { return if $! == EINTR || $! == EAGAIN; $n = 0 }
  if ($n == 0) { return fanout_left() }
  my $at = 0;
  my @runs;
  while (length($inbuf) - $at >= 9) {
    my ($type, $id, $len) = unpack("aNN", substr($inbuf, $at, 9));
    last if length($inbuf) - $at < 9 + $len;
    my $payload = substr($inbuf, $at + 9, $len);
    $at += 9 + $len;
    if ($type eq "R") { push @runs, [$id, $payload]; next }
    start_jobs(splice @runs) if @runs;
    handle_frame($type, $id, $payload);
  }
  substr($inbuf, 0, $at) = "";
  start_jobs(@runs) if @runs;
}

binmode $_ for $control, \*STDOUT;
unbuffered($control, \*STDIN, \*STDOUT, \*STDERR, $wake_r, $wake_w, $exec_r, $exec_w);
send_frame("H", 0, "fanout-runner $version $$");
flush_out();

for (;;) {
  undef $proc_groups;
  fanout_left() if $stop_requested && !$fanout_gone;
  finish_checked();
  flush_out();
  last if !$control_open && !%jobs;
  my $timeout = %timed ? next_timer() : undef;
  $timeout = 0 if @check;
  $timeout = $reap_poll if %by_pid && !(defined $timeout && $timeout < $reap_poll);
  my $rout = $rin;
  my $n = select($rout, undef, undef, $timeout);
  undef $proc_groups;
  if ($n > 0 && vec($rout, $wake_fd, 1)) { my $x; sysread($wake_r, $x, 4096) }
  reap();
  if ($n > 0) {
    read_control() if $control_open && vec($rout, fileno($control), 1);
    vec($rout, $_, 1) = 0 for $wake_fd, fileno($control);
    # the ready pipes: the set bits of select's answer
    my $bits = unpack("b*", $rout);
    my $fd = -1;
    while (($fd = index($bits, "1", $fd + 1)) >= 0) {
      my $job = $fd_job[$fd] or next;
      read_pipe($job, $fd_kind[$fd]);
    }
  }
  run_timers() if %timed;
}
exit 0;
