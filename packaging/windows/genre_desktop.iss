; Inno Setup script for the Windows installer of Genre Desktop.
;
; packaging\build.py runs it after PyInstaller when ISCC.exe (Inno Setup 6) is installed:
;   iscc /DAppVersion=<version> /DAppSourceDir=<repo>\dist\GenreDesktop /O<repo>\dist packaging\windows\genre_desktop.iss
; AppVersion comes from genre_desktop.__version__ (build.py reads it); the default below is only
; for compiling this file by hand.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef AppSourceDir
  #define AppSourceDir "..\..\dist\GenreDesktop"
#endif

#define AppName "Genre Desktop"
#define AppExe "GenreDesktop.exe"

[Setup]
; A fixed AppId lets upgrades replace the previous install. Never change it.
AppId={{6E0C8C3B-5B7A-4C33-9B1E-5A2F7D1C9E40}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Genre Desktop contributors
DefaultDirName={autopf}\GenreDesktop
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install by default (no admin prompt); the user may choose all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=GenreDesktop-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\genre-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; The user's library, settings and logs live under %LOCALAPPDATA%\GenreDesktop and survive
; uninstalling: corrections made by hand must never be lost by accident.

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#AppSourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
