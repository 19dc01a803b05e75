#!/usr/bin/perl
# The floor for fanout's job runner, which is a Perl process that forks the jobs: read
# argument lines from stdin, fork and exec `command arg` for each (no shell) in its own
# process group with at most -j at once, collect each job's output through pipes and
# print it whole when the job ends (grouped), exit with the number of failed jobs.
# Nothing else: no protocol, no Node, no termination sequence, no joblog; and a job's
# output must fit in a pipe's buffer (64 KiB), since it is read once the job has exited.
#
#   seq 1000 | perl bench/cli/perl-floor.pl -j 8 true
use strict;
use warnings;

my $jobs = 1;
while (@ARGV && $ARGV[0] =~ /^-/) {
  my $flag = shift @ARGV;
  if ($flag eq "-j") { $jobs = shift @ARGV }
  else { die "perl-floor: unknown option $flag\n" }
}
die "usage: perl-floor.pl -j N command [args...] < argument-lines\n" unless @ARGV && $jobs =~ /^[1-9]\d*$/;
my @command = @ARGV;

my (%running, $failed);
sub start {
  my ($arg) = @_;
  pipe(my $out_r, my $out_w) or die "perl-floor: pipe: $!\n";
  my $pid = fork // die "perl-floor: fork: $!\n";
  if ($pid == 0) {
    setpgrp(0, 0);
    open(STDOUT, ">&", $out_w);
    open(STDERR, ">&", $out_w);
    exec { $command[0] } @command, $arg;
    exit 127;
  }
  close $out_w;
  $running{$pid} = $out_r;
}

sub finish {
  my $pid = waitpid(-1, 0);
  my $out_r = delete $running{$pid} or return;
  $failed++ if $?;
  my ($output, $chunk) = ("", "");
  $output .= $chunk while sysread($out_r, $chunk, 65536);
  syswrite(STDOUT, $output) if length $output;
}

while (defined(my $line = <STDIN>)) {
  chomp $line;
  finish() while keys %running >= $jobs;
  start($line);
}
finish() while %running;
$failed //= 0;
exit($failed > 101 ? 101 : $failed);
