using NasOnnx.Cli;
using Spectre.Console;

FileSizeLimitSignal.IgnoreIt();
using var interrupts = new InterruptSignals();
return NasOnnxCli.Run(args, AnsiConsole.Console, interrupts.Token);
