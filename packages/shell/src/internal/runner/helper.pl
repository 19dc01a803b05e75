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

open(my $devnull, "<", "/dev/null") or die "fanout-runner: /dev/null: $!\n";
my %jobs;      # id -> job
my %by_pid;    # pid -> job
my $control_open = 1;
my $inbuf = "";
my $outbuf = "";
my $fanout_gone = 0;

# SIGCHLD wakes the select through a pipe (a signal between waitpid and select is not lost).
pipe(my $wake_r, my $wake_w) or die "fanout-runner: pipe: $!\n";
$SIG{CHLD} = sub { syswrite($wake_w, "x") };
$SIG{PIPE} = "IGNORE";
$SIG{HUP} = "IGNORE";
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
  $outbuf = "";
  for my $job (values %jobs) {
    $job->{cancel} = 1;
    start_term($job);
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

sub start_job {
  my ($id, $payload) = @_;
  my @f = split /\0/, $payload, -1;
  my ($flags, $termseq, $cwd, $argc) = splice(@f, 0, 4);
  my @argv = splice(@f, 0, $argc);
  my @fallback = $flags =~ /f/ ? splice(@f, 0, 1 + shift @f) : ();
  my %extra = map { /^([^=]*)=(.*)\z/s ? ($1, $2) : () } @f;
  pipe(my $out_r, my $out_w) or return start_failed($id, "EMFILE", "pipe: $!");
  pipe(my $err_r, my $err_w) or return start_failed($id, "EMFILE", "pipe: $!");
  pipe(my $st_r, my $st_w) or return start_failed($id, "EMFILE", "pipe: $!");
  my $start = now_ms();
  my $pid;
  {
    # The job's own variables are set around the fork, in %ENV (the base environment), and
    # the child does as little as it can before exec: every page a forked Perl touches is
    # copied (copying the environment in the child cost ~0.3 ms of CPU per job here).
    local @ENV{ keys %extra } = values %extra;
    $pid = fork;
    if (defined $pid && $pid == 0) {
      # exec resets caught signals, not ignored ones
      $SIG{PIPE} = $SIG{HUP} = "DEFAULT";
      setpgrp(0, 0);
      open(STDIN, "<&", $devnull);
      open(STDOUT, ">&", $out_w);
      open(STDERR, ">&", $err_w);
      if ($cwd ne "" && !chdir $cwd) { exec_failed($st_w) }
      { no warnings; exec { $argv[0] } @argv; }
      # a plain command run without a shell: if it cannot be, the shell runs it and says why
      if (@fallback) { no warnings; exec { $fallback[0] } @fallback; }
      exec_failed($st_w);
    }
  }
  if (!defined $pid) {
    my $why = ($!{EAGAIN} ? "EAGAIN" : $!{ENOMEM} ? "ENOMEM" : "EAGAIN");
    close $_ for $out_r, $out_w, $err_r, $err_w, $st_r, $st_w;
    return start_failed($id, $why, "fork: $!");
  }
  # The child puts itself in its own group, but it may not have run yet: until it has, a
  # signal to the group would find no group, and the job would be taken for gone (fanout
  # going away right after an R left the job running). Setting it from this side as well
  # closes that window; it fails harmlessly once the child has exec'd.
  setpgrp($pid, $pid);
  close $_ for $out_w, $err_w, $st_w;
  # Whether exec worked is read from $st_r in the main loop (end of file: it did), not
  # waited for here: on a busy machine the child may wait milliseconds for a CPU, and
  # waiting would make every other job wait too.
  my $job = {
    id => $id, pid => $pid, start => $start, termseq => $termseq, exec_pipe => $st_r,
    pipes => { O => $out_r, E => $err_r }, relay => { O => scalar($flags =~ /o/), E => scalar($flags =~ /e/) },
    bytes => { O => 0, E => 0 }, unacked => 0,
  };
  $jobs{$id} = $job;
  $by_pid{$pid} = $job;
  send_frame("S", $id, $pid);
}

sub exec_failed {
  my ($st_w) = @_;
  my $name = "UNKNOWN";
  for my $n (keys %!) { if ($!{$n}) { $name = $n; last } }
  syswrite($st_w, "$name\0$!");
  # no END blocks or buffers to run: kill ourselves rather than load POSIX for _exit
  kill "KILL", $$;
}

sub read_exec_status {
  my ($job) = @_;
  my $report = "";
  my $n = sysread($job->{exec_pipe}, $report, 4096);
  return if !defined $n && $! == EINTR;
  close delete $job->{exec_pipe};
  return unless length $report;
  # exec failed and the child killed itself: no job, only its reason
  my ($name, $message) = split /\0/, $report, 2;
  start_failed($job->{id}, $name, $message // "");
  close_pipe($job, $_) for keys %{ $job->{pipes} };
  delete $jobs{ $job->{id} };
  $job->{failed} = 1;
}

sub start_failed {
  my ($id, $name, $message) = @_;
  send_frame("F", $id, "$name\0$message");
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
}

sub reaped {
  my ($job, $status) = @_;
  $job->{end} = now_ms();
  $job->{status} = $status;
  delete $by_pid{ $job->{pid} };
  return if $job->{terminating};
  # the common case: the group ended with its leader
  if (!kill(0, -$job->{pid}) && $! != EPERM) { return group_gone($job) }
  start_term($job);
}

sub reap {
  while ((my $pid = waitpid(-1, $WNOHANG)) > 0) {
    my $job = $by_pid{$pid} or next;
    reaped($job, $?);
  }
}

sub close_pipe {
  my ($job, $kind) = @_;
  close delete $job->{pipes}{$kind};
}

sub read_pipe {
  my ($job, $kind) = @_;
  my $data;
  my $n = sysread($job->{pipes}{$kind}, $data, $chunk);
  if (!defined $n) { return if $! == EINTR || $! == EAGAIN; $n = 0 }
  if ($n == 0) { return close_pipe($job, $kind) }
  $job->{bytes}{$kind} += $n;
  if ($job->{relay}{$kind} && !$job->{cancel}) {
    $job->{unacked} += $n;
    send_frame($kind, $job->{id}, $data);
  }
}

sub finish_if_done {
  my ($job, $now) = @_;
  return unless defined $job->{status} && $job->{group_gone} && !$job->{exec_pipe};
  if (%{ $job->{pipes} }) {
    if ($job->{cancel}) { close_pipe($job, $_) for keys %{ $job->{pipes} } }
    else {
      $job->{grace_end} //= $now + $grace_ms;
      # a pipe waiting for fanout to catch up is not held by a stray grandchild
      $job->{grace_end} = $now + $grace_ms if $job->{unacked} >= $window;
      return if $now < $job->{grace_end};
      close_pipe($job, $_) for keys %{ $job->{pipes} };
    }
  }
  my $st = $job->{status};
  load_signals() if $st & 127;
  my ($code, $sig) = ($st & 127) ? ("-", $signame{ $st & 127 } // ($st & 127)) : ($st >> 8, "-");
  my $runtime = sprintf("%.3f", $job->{end} - $job->{start});
  send_frame("D", $job->{id}, "$code $sig $runtime $job->{bytes}{O} $job->{bytes}{E}") unless $job->{cancel} && $fanout_gone;
  delete $jobs{ $job->{id} };
}

sub handle_frame {
  my ($type, $id, $payload) = @_;
  if ($type eq "R") { start_job($id, $payload) }
  elsif ($type eq "A") {
    my $job = $jobs{$id} or return;
    $job->{unacked} -= $payload;
    $job->{unacked} = 0 if $job->{unacked} < 0;
  }
  elsif ($type eq "T") {
    my $job = $jobs{$id} or return;
    $job->{cancel} = 1 if $payload =~ /c/;
    start_term($job) unless defined $job->{status} && $job->{group_gone};
  }
  elsif ($type eq "G") {
    my ($pg, $termseq) = split / /, $payload;
    $jobs{$id} = {
      id => $id, pid => $pg + 0, start => now_ms(), termseq => $termseq // "", status => 0,
      pipes => {}, relay => {}, bytes => { O => 0, E => 0 }, unacked => 0,
    };
  }
  elsif ($type eq "U") { my $job = $jobs{$id}; delete $jobs{$id} if $job && !$job->{terminating} }
  elsif ($type eq "V") { %ENV = map { /^([^=]*)=(.*)\z/s ? ($1, $2) : () } split /\0/, $payload, -1 }
  else { die "fanout-runner: unknown frame type '$type' (protocol $version)\n" }
}

sub read_control {
  my $n = sysread(STDIN, $inbuf, 262144, length $inbuf);
  if (!defined $n) { return if $! == EINTR || $! == EAGAIN; $n = 0 }
  if ($n == 0) { return fanout_left() }
  while (length $inbuf >= 9) {
    my ($type, $id, $len) = unpack("aNN", $inbuf);
    last if length $inbuf < 9 + $len;
    my $payload = substr($inbuf, 9, $len);
    substr($inbuf, 0, 9 + $len) = "";
    handle_frame($type, $id, $payload);
  }
}

binmode $_ for \*STDIN, \*STDOUT;
send_frame("H", 0, "fanout-runner $version $$");
flush_out();

for (;;) {
  undef $proc_groups;
  fanout_left() if $stop_requested && !$fanout_gone;
  my $now = now_ms();
  my $timeout;
  my $rin = "";
  vec($rin, fileno($wake_r), 1) = 1;
  vec($rin, fileno(STDIN), 1) = 1 if $control_open;
  for my $job (values %jobs) {
    for my $at ($job->{poll_at}, $job->{grace_end}) {
      next unless defined $at;
      my $left = ($at - $now) / 1000;
      $timeout = $left if !defined $timeout || $left < $timeout;
    }
    vec($rin, fileno($job->{exec_pipe}), 1) = 1 if $job->{exec_pipe};
    next if $job->{unacked} >= $window;
    vec($rin, fileno($_), 1) = 1 for values %{ $job->{pipes} };
  }
  last if !$control_open && !%jobs;
  $timeout = 0 if defined $timeout && $timeout < 0;
  my $rout = $rin;
  my $n = select($rout, undef, undef, $timeout);
  undef $proc_groups;
  if ($n > 0 && vec($rout, fileno($wake_r), 1)) { my $x; sysread($wake_r, $x, 4096) }
  reap();
  read_control() if $n > 0 && $control_open && vec($rout, fileno(STDIN), 1);
  $now = now_ms();
  for my $job (values %jobs) {
    if ($n > 0) {
      if ($job->{exec_pipe} && vec($rout, fileno($job->{exec_pipe}), 1)) { read_exec_status($job); next if $job->{failed} }
      for my $kind (keys %{ $job->{pipes} }) {
        read_pipe($job, $kind) if vec($rout, fileno($job->{pipes}{$kind}), 1);
      }
    }
    poll_term($job, $now) if defined $job->{poll_at} && $now >= $job->{poll_at};
    finish_if_done($job, $now);
  }
  flush_out();
}
exit 0;
