using NasOnnx.Cli;
using Spectre.Console;

FileSizeLimitSignal.IgnoreIt();
return NasOnnxCli.Run(args, AnsiConsole.Console);
