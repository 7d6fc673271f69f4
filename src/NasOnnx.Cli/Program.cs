using NasOnnx.Cli;
using Spectre.Console;

return NasOnnxCli.Run(args, AnsiConsole.Console);
