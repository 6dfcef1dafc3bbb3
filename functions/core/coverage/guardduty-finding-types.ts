/**
 * GuardDuty's finding types as data, so `riposte playbooks coverage` can say which of them have
 * an automated response.
 *
 * Written from the Amazon GuardDuty User Guide: "Integrating with AWS Security Hub CSPM" (the
 * table of every GuardDuty finding type with its ASFF counterpart, each linked to its page; types
 * whose link points to "Retired finding types" are listed in {@link RETIRED_GUARDDUTY_FINDING_TYPES})
 * and "GuardDuty attack sequence finding types" (the Extended Threat Detection sequences, of which
 * the first table names only two). Checked against both pages on {@link GUARDDUTY_FINDING_TYPES_AS_OF}.
 * When GuardDuty adds a type, add a row here (the coverage test fails on a duplicate or an
 * unparseable type).
 *
 * Each row is `[GuardDuty type, ASFF type as Security Hub CSPM shows it]`; the ASFF type is
 * `undefined` where the table gives none.
 */
export const GUARDDUTY_FINDING_TYPES_AS_OF = '2026-12-07';

/** The pages the list was written from. */
export const GUARDDUTY_FINDING_TYPES_SOURCES: readonly string[] = [
  'https://docs.aws.amazon.com/guardduty/latest/ug/securityhub-integration.html',
  'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty-attack-sequence-finding-types.html',
  'https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_finding-types-retired.html',
];

export type GuardDutyFindingTypeRow = readonly [type: string, asff: string | undefined];

/** Active finding types. */
export const GUARDDUTY_FINDING_TYPES: readonly GuardDutyFindingTypeRow[] = [
  // Extended Threat Detection attack sequences
  ['AttackSequence:EC2/CompromisedInstanceGroup', undefined],
  ['AttackSequence:ECS/CompromisedCluster', undefined],
  ['AttackSequence:EKS/CompromisedCluster', undefined],
  ['AttackSequence:IAM/CompromisedCredentials', 'TTPs/AttackSequence:IAM/CompromisedCredentials'],
  ['AttackSequence:S3/CompromisedData', 'TTPs/AttackSequence:S3/CompromisedData'],
  // EC2
  ['Backdoor:EC2/C&CActivity.B', 'TTPs/Command and Control/Backdoor:EC2-C&CActivity.B'],
  ['Backdoor:EC2/C&CActivity.B!DNS', 'TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS'],
  ['Backdoor:EC2/DenialOfService.Dns', 'TTPs/Command and Control/Backdoor:EC2-DenialOfService.Dns'],
  ['Backdoor:EC2/DenialOfService.Tcp', 'TTPs/Command and Control/Backdoor:EC2-DenialOfService.Tcp'],
  ['Backdoor:EC2/DenialOfService.Udp', 'TTPs/Command and Control/Backdoor:EC2-DenialOfService.Udp'],
  [
    'Backdoor:EC2/DenialOfService.UdpOnTcpPorts',
    'TTPs/Command and Control/Backdoor:EC2-DenialOfService.UdpOnTcpPorts',
  ],
  [
    'Backdoor:EC2/DenialOfService.UnusualProtocol',
    'TTPs/Command and Control/Backdoor:EC2-DenialOfService.UnusualProtocol',
  ],
  ['Backdoor:EC2/Spambot', 'TTPs/Command and Control/Backdoor:EC2-Spambot'],
  ['Behavior:EC2/NetworkPortUnusual', 'Unusual Behaviors/VM/Behavior:EC2-NetworkPortUnusual'],
  ['Behavior:EC2/TrafficVolumeUnusual', 'Unusual Behaviors/VM/Behavior:EC2-TrafficVolumeUnusual'],
  ['CryptoCurrency:EC2/BitcoinTool.B', 'TTPs/Command and Control/CryptoCurrency:EC2-BitcoinTool.B'],
  ['CryptoCurrency:EC2/BitcoinTool.B!DNS', 'TTPs/Command and Control/CryptoCurrency:EC2-BitcoinTool.B!DNS'],
  ['DefenseEvasion:EC2/UnusualDNSResolver', 'TTPs/DefenseEvasion/EC2:Unusual-DNS-Resolver'],
  ['DefenseEvasion:EC2/UnusualDoHActivity', 'TTPs/DefenseEvasion/EC2:Unusual-DoH-Activity'],
  ['DefenseEvasion:EC2/UnusualDoTActivity', 'TTPs/DefenseEvasion/EC2:Unusual-DoT-Activity'],
  ['Impact:EC2/AbusedDomainRequest.Reputation', 'TTPs/Impact:EC2-AbusedDomainRequest.Reputation'],
  ['Impact:EC2/BitcoinDomainRequest.Reputation', 'TTPs/Impact:EC2-BitcoinDomainRequest.Reputation'],
  ['Impact:EC2/MaliciousDomainRequest.Custom', 'TTPs/Impact/Impact:EC2-MaliciousDomainRequest.Custom'],
  ['Impact:EC2/MaliciousDomainRequest.Reputation', 'TTPs/Impact:EC2-MaliciousDomainRequest.Reputation'],
  ['Impact:EC2/PortSweep', 'TTPs/Impact/Impact:EC2-PortSweep'],
  ['Impact:EC2/SuspiciousDomainRequest.Reputation', 'TTPs/Impact:EC2-SuspiciousDomainRequest.Reputation'],
  ['Impact:EC2/WinRMBruteForce', 'TTPs/Impact/Impact:EC2-WinRMBruteForce'],
  ['Recon:EC2/PortProbeEMRUnprotectedPort', 'TTPs/Discovery/Recon:EC2-PortProbeEMRUnprotectedPort'],
  ['Recon:EC2/PortProbeUnprotectedPort', 'TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort'],
  ['Recon:EC2/Portscan', 'TTPs/Discovery/Recon:EC2-Portscan'],
  ['Trojan:EC2/BlackholeTraffic', 'TTPs/Command and Control/Trojan:EC2-BlackholeTraffic'],
  ['Trojan:EC2/BlackholeTraffic!DNS', 'TTPs/Command and Control/Trojan:EC2-BlackholeTraffic!DNS'],
  ['Trojan:EC2/DGADomainRequest.B', 'TTPs/Command and Control/Trojan:EC2-DGADomainRequest.B'],
  ['Trojan:EC2/DGADomainRequest.C!DNS', 'TTPs/Command and Control/Trojan:EC2-DGADomainRequest.C!DNS'],
  ['Trojan:EC2/DNSDataExfiltration', 'TTPs/Command and Control/Trojan:EC2-DNSDataExfiltration'],
  ['Trojan:EC2/DriveBySourceTraffic!DNS', 'TTPs/Initial Access/Trojan:EC2-DriveBySourceTraffic!DNS'],
  ['Trojan:EC2/DropPoint', 'Effects/Data Exfiltration/Trojan:EC2-DropPoint'],
  ['Trojan:EC2/DropPoint!DNS', 'Effects/Data Exfiltration/Trojan:EC2-DropPoint!DNS'],
  ['Trojan:EC2/PhishingDomainRequest!DNS', 'TTPs/Command and Control/Trojan:EC2-PhishingDomainRequest!DNS'],
  [
    'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom',
    'TTPs/Command and Control/UnauthorizedAccess:EC2-MaliciousIPCaller.Custom',
  ],
  ['UnauthorizedAccess:EC2/MetadataDNSRebind', 'TTPs/UnauthorizedAccess:EC2-MetadataDNSRebind'],
  ['UnauthorizedAccess:EC2/RDPBruteForce', 'TTPs/Initial Access/UnauthorizedAccess:EC2-RDPBruteForce'],
  ['UnauthorizedAccess:EC2/SSHBruteForce', 'TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce'],
  ['UnauthorizedAccess:EC2/TorClient', 'Effects/Resource Consumption/UnauthorizedAccess:EC2-TorClient'],
  ['UnauthorizedAccess:EC2/TorRelay', 'Effects/Resource Consumption/UnauthorizedAccess:EC2-TorRelay'],
  // IAM
  ['CredentialAccess:IAMUser/AnomalousBehavior', 'TTPs/Credential Access/IAMUser-AnomalousBehavior'],
  ['DefenseEvasion:IAMUser/AnomalousBehavior', 'TTPs/Defense Evasion/IAMUser-AnomalousBehavior'],
  [
    'DefenseEvasion:IAMUser/BedrockLoggingDisabled',
    'TTPs/Defense Evasion/DefenseEvasion:IAMUser-BedrockLoggingDisabled',
  ],
  ['Discovery:IAMUser/AnomalousBehavior', 'TTPs/Discovery/IAMUser-AnomalousBehavior'],
  ['Exfiltration:IAMUser/AnomalousBehavior', 'TTPs/Exfiltration/IAMUser-AnomalousBehavior'],
  ['Impact:IAMUser/AnomalousBehavior', 'TTPs/Impact/IAMUser-AnomalousBehavior'],
  ['InitialAccess:IAMUser/AnomalousBehavior', 'TTPs/Initial Access/IAMUser-AnomalousBehavior'],
  ['PenTest:IAMUser/KaliLinux', 'TTPs/PenTest:IAMUser/KaliLinux'],
  ['PenTest:IAMUser/ParrotLinux', 'TTPs/PenTest:IAMUser/ParrotLinux'],
  ['PenTest:IAMUser/PentooLinux', 'TTPs/PenTest:IAMUser/PentooLinux'],
  ['Persistence:IAMUser/AnomalousBehavior', 'TTPs/Persistence/IAMUser-AnomalousBehavior'],
  ['Policy:IAMUser/RootCredentialUsage', 'TTPs/Policy:IAMUser-RootCredentialUsage'],
  ['Policy:IAMUser/ShortTermRootCredentialUsage', 'TTPs/Policy:IAMUser-ShortTermRootCredentialUsage'],
  ['PrivilegeEscalation:IAMUser/AnomalousBehavior', 'TTPs/Privilege Escalation/IAMUser-AnomalousBehavior'],
  ['Recon:IAMUser/MaliciousIPCaller', 'TTPs/Discovery/Recon:IAMUser-MaliciousIPCaller'],
  ['Recon:IAMUser/MaliciousIPCaller.Custom', 'TTPs/Discovery/Recon:IAMUser-MaliciousIPCaller.Custom'],
  ['Recon:IAMUser/TorIPCaller', 'TTPs/Discovery/Recon:IAMUser-TorIPCaller'],
  [
    'Stealth:IAMUser/CloudTrailLoggingDisabled',
    'TTPs/Defense Evasion/Stealth:IAMUser-CloudTrailLoggingDisabled',
  ],
  ['Stealth:IAMUser/PasswordPolicyChange', 'TTPs/Defense Evasion/Stealth:IAMUser-PasswordPolicyChange'],
  [
    'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
    'TTPs/UnauthorizedAccess:IAMUser-ConsoleLoginSuccess.B',
  ],
  [
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
    'Effects/Data Exfiltration/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.InsideAWS',
  ],
  [
    'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    'Effects/Data Exfiltration/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.OutsideAWS',
  ],
  ['UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'TTPs/UnauthorizedAccess:IAMUser-MaliciousIPCaller'],
  [
    'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom',
    'TTPs/UnauthorizedAccess:IAMUser-MaliciousIPCaller.Custom',
  ],
  [
    'UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.InsideAWS',
    'Effects/Data Exfiltration/UnauthorizedAccess:IAMUser-ResourceCredentialExfiltration.InsideAWS',
  ],
  [
    'UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS',
    'Effects/Data Exfiltration/UnauthorizedAccess:IAMUser-ResourceCredentialExfiltration.OutsideAWS',
  ],
  [
    'UnauthorizedAccess:IAMUser/TorIPCaller',
    'TTPs/Command and Control/UnauthorizedAccess:IAMUser-TorIPCaller',
  ],
  // S3 Protection and Malware Protection for S3
  ['Discovery:S3/AnomalousBehavior', 'TTPs/Discovery:S3-AnomalousBehavior'],
  ['Discovery:S3/MaliciousIPCaller', 'TTPs/Discovery:S3-MaliciousIPCaller'],
  ['Discovery:S3/MaliciousIPCaller.Custom', 'TTPs/Discovery:S3-MaliciousIPCaller.Custom'],
  ['Discovery:S3/TorIPCaller', 'TTPs/Discovery:S3-TorIPCaller'],
  ['Exfiltration:S3/AnomalousBehavior', 'TTPs/Exfiltration:S3-AnomalousBehavior'],
  ['Exfiltration:S3/MaliciousIPCaller', 'TTPs/Exfiltration:S3-MaliciousIPCaller'],
  ['Impact:S3/AnomalousBehavior.Delete', 'TTPs/Impact:S3-AnomalousBehavior.Delete'],
  ['Impact:S3/AnomalousBehavior.Permission', 'TTPs/Impact:S3-AnomalousBehavior.Permission'],
  ['Impact:S3/AnomalousBehavior.Write', 'TTPs/Impact:S3-AnomalousBehavior.Write'],
  ['Impact:S3/MaliciousIPCaller', 'TTPs/Impact:S3-MaliciousIPCaller'],
  ['Object:S3/MaliciousFile', 'TTPs/Object/Object:S3-MaliciousFile'],
  ['PenTest:S3/KaliLinux', 'TTPs/PenTest:S3-KaliLinux'],
  ['PenTest:S3/ParrotLinux', 'TTPs/PenTest:S3-ParrotLinux'],
  ['PenTest:S3/PentooLinux', 'TTPs/PenTest:S3-PentooLinux'],
  ['Policy:S3/AccountBlockPublicAccessDisabled', 'TTPs/Policy:S3-AccountBlockPublicAccessDisabled'],
  ['Policy:S3/BucketAnonymousAccessGranted', 'TTPs/Policy:S3-BucketAnonymousAccessGranted'],
  [
    'Policy:S3/BucketBlockPublicAccessDisabled',
    'Effects/Data Exposure/Policy:S3-BucketBlockPublicAccessDisabled',
  ],
  ['Policy:S3/BucketPublicAccessGranted', 'TTPs/Policy:S3-BucketPublicAccessGranted'],
  ['Stealth:S3/ServerAccessLoggingDisabled', 'TTPs/Defense Evasion/Stealth:S3-ServerAccessLoggingDisabled'],
  ['UnauthorizedAccess:S3/MaliciousIPCaller.Custom', 'TTPs/UnauthorizedAccess:S3-MaliciousIPCaller.Custom'],
  ['UnauthorizedAccess:S3/TorIPCaller', 'TTPs/UnauthorizedAccess:S3-TorIPCaller'],
  // EKS Protection (audit logs)
  [
    'CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed',
    'TTPs/AnomalousBehavior/CredentialAccess:Kubernetes-SecretsAccessed',
  ],
  [
    'CredentialAccess:Kubernetes/MaliciousIPCaller',
    'TTPs/CredentialAccess/CredentialAccess:Kubernetes-MaliciousIPCaller',
  ],
  [
    'CredentialAccess:Kubernetes/MaliciousIPCaller.Custom',
    'TTPs/CredentialAccess/CredentialAccess:Kubernetes-MaliciousIPCaller.Custom',
  ],
  [
    'CredentialAccess:Kubernetes/SuccessfulAnonymousAccess',
    'TTPs/CredentialAccess/CredentialAccess:Kubernetes-SuccessfulAnonymousAccess',
  ],
  [
    'CredentialAccess:Kubernetes/TorIPCaller',
    'TTPs/CredentialAccess/CredentialAccess:Kubernetes-TorIPCaller',
  ],
  [
    'DefenseEvasion:Kubernetes/MaliciousIPCaller',
    'TTPs/DefenseEvasion/DefenseEvasion:Kubernetes-MaliciousIPCaller',
  ],
  [
    'DefenseEvasion:Kubernetes/MaliciousIPCaller.Custom',
    'TTPs/DefenseEvasion/DefenseEvasion:Kubernetes-MaliciousIPCaller.Custom',
  ],
  [
    'DefenseEvasion:Kubernetes/SuccessfulAnonymousAccess',
    'TTPs/DefenseEvasion/DefenseEvasion:Kubernetes-SuccessfulAnonymousAccess',
  ],
  ['DefenseEvasion:Kubernetes/TorIPCaller', 'TTPs/DefenseEvasion/DefenseEvasion:Kubernetes-TorIPCaller'],
  [
    'Discovery:Kubernetes/AnomalousBehavior.PermissionChecked',
    'TTPs/AnomalousBehavior/Discovery:Kubernetes-PermissionChecked',
  ],
  ['Discovery:Kubernetes/MaliciousIPCaller', 'TTPs/Discovery/Discovery:Kubernetes-MaliciousIPCaller'],
  [
    'Discovery:Kubernetes/MaliciousIPCaller.Custom',
    'TTPs/Discovery/Discovery:Kubernetes-MaliciousIPCaller.Custom',
  ],
  [
    'Discovery:Kubernetes/SuccessfulAnonymousAccess',
    'TTPs/Discovery/Discovery:Kubernetes-SuccessfulAnonymousAccess',
  ],
  ['Discovery:Kubernetes/TorIPCaller', 'TTPs/Discovery/Discovery:Kubernetes-TorIPCaller'],
  [
    'Execution:Kubernetes/AnomalousBehavior.ExecInPod',
    'TTPs/AnomalousBehavior/Execution:Kubernetes-ExecInPod',
  ],
  [
    'Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed',
    'TTPs/AnomalousBehavior/Execution:Kubernetes-WorkloadDeployed',
  ],
  ['Execution:Kubernetes/ExecInKubeSystemPod', 'TTPs/Execution/Execution:Kubernetes-ExecInKubeSystemPod'],
  ['Impact:Kubernetes/MaliciousIPCaller', 'TTPs/Impact/Impact:Kubernetes-MaliciousIPCaller'],
  ['Impact:Kubernetes/MaliciousIPCaller.Custom', 'TTPs/Impact/Impact:Kubernetes-MaliciousIPCaller.Custom'],
  ['Impact:Kubernetes/SuccessfulAnonymousAccess', 'TTPs/Impact/Impact:Kubernetes-SuccessfulAnonymousAccess'],
  ['Impact:Kubernetes/TorIPCaller', 'TTPs/Impact/Impact:Kubernetes-TorIPCaller'],
  [
    'Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount',
    'TTPs/AnomalousBehavior/Persistence:Kubernetes-WorkloadDeployed!ContainerWithSensitiveMount',
  ],
  ['Persistence:Kubernetes/MaliciousIPCaller', 'TTPs/Persistence/Persistence:Kubernetes-MaliciousIPCaller'],
  [
    'Persistence:Kubernetes/MaliciousIPCaller.Custom',
    'TTPs/Persistence/Persistence:Kubernetes-MaliciousIPCaller.Custom',
  ],
  [
    'Persistence:Kubernetes/SuccessfulAnonymousAccess',
    'TTPs/Persistence/Persistence:Kubernetes-SuccessfulAnonymousAccess',
  ],
  ['Persistence:Kubernetes/TorIPCaller', 'TTPs/Persistence/Persistence:Kubernetes-TorIPCaller'],
  [
    'Policy:Kubernetes/AdminAccessToDefaultServiceAccount',
    'Software and Configuration Checks/AWS Security Best Practices/Policy:Kubernetes-AdminAccessToDefaultServiceAccount',
  ],
  [
    'Policy:Kubernetes/AnonymousAccessGranted',
    'Software and Configuration Checks/AWS Security Best Practices/Policy:Kubernetes-AnonymousAccessGranted',
  ],
  [
    'Policy:Kubernetes/ExposedDashboard',
    'Software and Configuration Checks/AWS Security Best Practices/Policy:Kubernetes-ExposedDashboard',
  ],
  [
    'Policy:Kubernetes/KubeflowDashboardExposed',
    'Software and Configuration Checks/AWS Security Best Practices/Policy:Kubernetes-KubeflowDashboardExposed',
  ],
  [
    'PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated',
    'TTPs/AnomalousBehavior/PrivilegeEscalation:Kubernetes-RoleBindingCreated',
  ],
  [
    'PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated',
    'TTPs/AnomalousBehavior/PrivilegeEscalation:Kubernetes-RoleCreated',
  ],
  [
    'PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer',
    'TTPs/AnomalousBehavior/PrivilegeEscalation:Kubernetes-WorkloadDeployed!PrivilegedContainer',
  ],
  // Runtime Monitoring
  ['Backdoor:Runtime/C&CActivity.B', 'TTPs/Command and Control/Backdoor:Runtime-C&CActivity.B'],
  ['Backdoor:Runtime/C&CActivity.B!DNS', 'TTPs/Command and Control/Backdoor:Runtime-C&CActivity.B!DNS'],
  ['CryptoCurrency:Runtime/BitcoinTool.B', 'TTPs/Command and Control/CryptoCurrency:Runtime-BitcoinTool.B'],
  [
    'CryptoCurrency:Runtime/BitcoinTool.B!DNS',
    'TTPs/Command and Control/CryptoCurrency:Runtime-BitcoinTool.B!DNS',
  ],
  [
    'DefenseEvasion:Runtime/FilelessExecution',
    'TTPs/Defense Evasion/DefenseEvasion:Runtime-FilelessExecution',
  ],
  [
    'DefenseEvasion:Runtime/KernelModuleLoaded',
    'TTPs/Defense Evasion/DefenseEvasion:Runtime-KernelModuleLoaded',
  ],
  [
    'DefenseEvasion:Runtime/ProcessInjection.Proc',
    'TTPs/Defense Evasion/DefenseEvasion:Runtime-ProcessInjection.Proc',
  ],
  [
    'DefenseEvasion:Runtime/ProcessInjection.Ptrace',
    'TTPs/Defense Evasion/DefenseEvasion:Runtime-ProcessInjection.Ptrace',
  ],
  [
    'DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite',
    'TTPs/Defense Evasion/DefenseEvasion:Runtime-ProcessInjection.VirtualMemoryWrite',
  ],
  [
    'DefenseEvasion:Runtime/PtraceAntiDebugging',
    'TTPs/DefenseEvasion/DefenseEvasion:Runtime-PtraceAntiDebugging',
  ],
  [
    'DefenseEvasion:Runtime/SensitiveFileModified',
    'TTPs/Defense Evasion/DefenseEvasion:Runtime-SensitiveFileModified',
  ],
  [
    'DefenseEvasion:Runtime/SuspiciousCommand',
    'TTPs/DefenseEvasion/DefenseEvasion:Runtime-SuspiciousCommand',
  ],
  ['Discovery:Runtime/SuspiciousCommand', 'TTPs/Discovery/Discovery:Runtime-SuspiciousCommand'],
  ['Execution:Runtime/MaliciousFileExecuted', 'TTPs/Execution/Execution:Runtime-MaliciousFileExecuted'],
  [
    'Execution:Runtime/MaliciousFileExecuted.Custom',
    'TTPs/Execution/Execution:Runtime-MaliciousFileExecuted.Custom',
  ],
  ['Execution:Runtime/NewBinaryExecuted', 'TTPs/Execution/Execution:Runtime-NewBinaryExecuted'],
  ['Execution:Runtime/NewLibraryLoaded', 'TTPs/Execution/Execution:Runtime-NewLibraryLoaded'],
  ['Execution:Runtime/ReverseShell', 'TTPs/Execution/Execution:Runtime-ReverseShell'],
  ['Execution:Runtime/SuspiciousCommand', 'TTPs/Execution/Execution:Runtime-SuspiciousCommand'],
  ['Execution:Runtime/SuspiciousShellCreated', 'TTPs/Execution/Execution:Runtime-SuspiciousShellCreated'],
  ['Execution:Runtime/SuspiciousTool', 'TTPs/Execution/Execution:Runtime-SuspiciousTool'],
  [
    'Impact:Runtime/AbusedDomainRequest.Reputation',
    'TTPs/Impact/Impact:Runtime-AbusedDomainRequest.Reputation',
  ],
  [
    'Impact:Runtime/BitcoinDomainRequest.Reputation',
    'TTPs/Impact/Impact:Runtime-BitcoinDomainRequest.Reputation',
  ],
  ['Impact:Runtime/CryptoMinerExecuted', 'TTPs/Impact/Impact:Runtime-CryptoMinerExecuted'],
  [
    'Impact:Runtime/MaliciousDomainRequest.Reputation',
    'TTPs/Impact/Impact:Runtime-MaliciousDomainRequest.Reputation',
  ],
  // The guide's table cuts the last letter of this ASFF type ("…Reputatio"); the full name is kept here.
  [
    'Impact:Runtime/SuspiciousDomainRequest.Reputation',
    'TTPs/Impact/Impact:Runtime-SuspiciousDomainRequest.Reputation',
  ],
  ['Persistence:Runtime/SensitiveFileModified', 'TTPs/Persistence/Persistence:Runtime-SensitiveFileModified'],
  ['Persistence:Runtime/SuspiciousCommand', 'TTPs/Persistence/Persistence:Runtime-SuspiciousCommand'],
  [
    'PrivilegeEscalation:Runtime/SensitiveFileModified',
    'TTPs/Privilege Escalation/PrivilegeEscalation:Runtime-SensitiveFileModified',
  ],
  [
    'PrivilegeEscalation:Runtime/SuspiciousCommand',
    'Software and Configuration Checks/PrivilegeEscalation:Runtime-SuspiciousCommand',
  ],
  ['Trojan:Runtime/BlackholeTraffic', 'TTPs/Command and Control/Trojan:Runtime-BlackholeTraffic'],
  ['Trojan:Runtime/BlackholeTraffic!DNS', 'TTPs/Command and Control/Trojan:Runtime-BlackholeTraffic!DNS'],
  ['Trojan:Runtime/DGADomainRequest.C!DNS', 'TTPs/Command and Control/Trojan:Runtime-DGADomainRequest.C!DNS'],
  ['Trojan:Runtime/DriveBySourceTraffic!DNS', 'TTPs/Initial Access/Trojan:Runtime-DriveBySourceTraffic!DNS'],
  ['Trojan:Runtime/DropPoint', 'Effects/Data Exfiltration/Trojan:Runtime-DropPoint'],
  ['Trojan:Runtime/DropPoint!DNS', 'Effects/Data Exfiltration/Trojan:Runtime-DropPoint!DNS'],
  [
    'Trojan:Runtime/PhishingDomainRequest!DNS',
    'TTPs/Command and Control/Trojan:Runtime-PhishingDomainRequest!DNS',
  ],
  ['UnauthorizedAccess:Runtime/MetadataDNSRebind', 'TTPs/UnauthorizedAccess:Runtime-MetadataDNSRebind'],
  [
    'UnauthorizedAccess:Runtime/TorClient',
    'Effects/Resource Consumption/UnauthorizedAccess:Runtime-TorClient',
  ],
  ['UnauthorizedAccess:Runtime/TorRelay', 'Effects/Resource Consumption/UnauthorizedAccess:Runtime-TorRelay'],
  // Malware Protection for EC2 and for AWS Backup
  ['Execution:Container/MaliciousFile', 'TTPs/Execution/Execution:Container-MaliciousFile'],
  ['Execution:Container/SuspiciousFile', 'TTPs/Execution/Execution:Container-SuspiciousFile'],
  ['Execution:EC2/MaliciousFile', 'TTPs/Execution/Execution:EC2-MaliciousFile'],
  ['Execution:EC2/MaliciousFile!AMI', 'TTPs/Execution/Execution:EC2-MaliciousFile!AMI'],
  ['Execution:EC2/MaliciousFile!RecoveryPoint', 'TTPs/Execution/Execution:EC2-MaliciousFile!RecoveryPoint'],
  ['Execution:EC2/MaliciousFile!Snapshot', 'TTPs/Execution/Execution:EC2-MaliciousFile!Snapshot'],
  ['Execution:EC2/SuspiciousFile', 'TTPs/Execution/Execution:EC2-SuspiciousFile'],
  ['Execution:ECS/MaliciousFile', 'TTPs/Execution/Execution:ECS-MaliciousFile'],
  ['Execution:ECS/SuspiciousFile', 'TTPs/Execution/Execution:ECS-SuspiciousFile'],
  ['Execution:Kubernetes/MaliciousFile', 'TTPs/Execution/Execution:Kubernetes-MaliciousFile'],
  ['Execution:Kubernetes/SuspiciousFile', 'TTPs/Execution/Execution:Kubernetes-SuspiciousFile'],
  ['Execution:S3/MaliciousFile!RecoveryPoint', 'TTPs/Execution/Execution:S3-MaliciousFile!RecoveryPoint'],
  // RDS Protection
  [
    'CredentialAccess:RDS/AnomalousBehavior.FailedLogin',
    'TTPs/Credential Access/CredentialAccess:RDS-AnomalousBehavior.FailedLogin',
  ],
  [
    'CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce',
    'TTPs/Credential Access/CredentialAccess:RDS-AnomalousBehavior.SuccessfulBruteForce',
  ],
  [
    'CredentialAccess:RDS/AnomalousBehavior.SuccessfulLogin',
    'TTPs/Credential Access/CredentialAccess:RDS-AnomalousBehavior.SuccessfulLogin',
  ],
  [
    'CredentialAccess:RDS/MaliciousIPCaller.FailedLogin',
    'TTPs/Credential Access/CredentialAccess:RDS-MaliciousIPCaller.FailedLogin',
  ],
  [
    'CredentialAccess:RDS/MaliciousIPCaller.SuccessfulLogin',
    'TTPs/Credential Access/CredentialAccess:RDS-MaliciousIPCaller.SuccessfulLogin',
  ],
  [
    'CredentialAccess:RDS/TorIPCaller.FailedLogin',
    'TTPs/Credential Access/CredentialAccess:RDS-TorIPCaller.FailedLogin',
  ],
  [
    'CredentialAccess:RDS/TorIPCaller.SuccessfulLogin',
    'TTPs/Credential Access/CredentialAccess:RDS-TorIPCaller.SuccessfulLogin',
  ],
  ['Discovery:RDS/MaliciousIPCaller', 'TTPs/Discovery/RDS-MaliciousIPCaller'],
  ['Discovery:RDS/TorIPCaller', 'TTPs/Discovery/RDS-TorIPCaller'],
  // Lambda Protection
  ['Backdoor:Lambda/C&CActivity.B', 'TTPs/Command and Control/Backdoor:Lambda-C&CActivity.B'],
  ['CryptoCurrency:Lambda/BitcoinTool.B', 'TTPs/Command and Control/CryptoCurrency:Lambda-BitcoinTool.B'],
  ['Trojan:Lambda/BlackholeTraffic', 'TTPs/Command and Control/Trojan:Lambda-BlackholeTraffic'],
  ['Trojan:Lambda/DropPoint', 'Effects/Data Exfiltration/Trojan:Lambda-DropPoint'],
  [
    'UnauthorizedAccess:Lambda/MaliciousIPCaller.Custom',
    'TTPs/Command and Control/UnauthorizedAccess:Lambda-MaliciousIPCaller.Custom',
  ],
  ['UnauthorizedAccess:Lambda/TorClient', 'Effects/Resource Consumption/UnauthorizedAccess:Lambda-TorClient'],
  ['UnauthorizedAccess:Lambda/TorRelay', 'Effects/Resource Consumption/UnauthorizedAccess:Lambda-TorRelay'],
];

/** Types the guide lists as retired: GuardDuty no longer generates them, so they count for nothing. */
export const RETIRED_GUARDDUTY_FINDING_TYPES: readonly string[] = [
  'Discovery:S3/BucketEnumeration.Unusual',
  'Exfiltration:S3/ObjectRead.Unusual',
  'Impact:S3/ObjectDelete.Unusual',
  'Impact:S3/PermissionsModification.Unusual',
  'Persistence:IAMUser/NetworkPermissions',
  'Persistence:IAMUser/ResourcePermissions',
  'Persistence:IAMUser/UserPermissions',
  'Persistence:Kubernetes/ContainerWithSensitiveMount',
  'PrivilegeEscalation:IAMUser/AdministrativePermissions',
  'PrivilegeEscalation:Kubernetes/PrivilegedContainer',
  'PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified',
  'PrivilegeEscalation:Runtime/ContainerMountsHostDirectory',
  'PrivilegeEscalation:Runtime/DockerSocketAccessed',
  'PrivilegeEscalation:Runtime/ElevationToRoot',
  'PrivilegeEscalation:Runtime/RuncContainerEscape',
  'PrivilegeEscalation:Runtime/UserfaultfdUsage',
  'Recon:IAMUser/NetworkPermissions',
  'Recon:IAMUser/ResourcePermissions',
  'Recon:IAMUser/UserPermissions',
  'ResourceConsumption:IAMUser/ComputeResources',
  'Stealth:IAMUser/LoggingConfigurationModified',
  'UnauthorizedAccess:IAMUser/ConsoleLogin',
];
