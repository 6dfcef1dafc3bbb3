import type { Address, Instance as Ec2Instance, Volume } from '@aws-sdk/client-ec2';
import type { InstanceCapture, NetworkInterfaceState } from './schemas.ts';

/** The capture's shapes, mapped from the EC2 answers (no call). */

/** An EBS volume of the block device mappings, before its details. */
export type Device = Pick<
  InstanceCapture['volumes'][number],
  'volumeId' | 'deviceName' | 'deleteOnTermination'
>;

/** The EBS volumes of the block device mappings. */
export function devicesOf(instance: Ec2Instance): Device[] {
  return (instance.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.VolumeId === undefined
      ? []
      : [
          {
            volumeId: m.Ebs.VolumeId,
            deviceName: m.DeviceName ?? '',
            deleteOnTermination: m.Ebs.DeleteOnTermination === true,
          },
        ],
  );
}

export function volumesOf(
  devices: readonly Device[],
  details: readonly Volume[],
): InstanceCapture['volumes'] {
  return devices.map((device) => {
    const detail = details.find((v) => v.VolumeId === device.volumeId);
    return {
      ...device,
      sizeGiB: detail?.Size ?? null,
      volumeType: detail?.VolumeType ?? null,
      encrypted: detail?.Encrypted ?? null,
    };
  });
}

/** The instance's ENIs with their addresses and groups, by device index. */
export function networkInterfacesOf(instance: Ec2Instance): NetworkInterfaceState[] {
  return (instance.NetworkInterfaces ?? [])
    .flatMap((eni) =>
      eni.NetworkInterfaceId === undefined
        ? []
        : [
            {
              networkInterfaceId: eni.NetworkInterfaceId,
              deviceIndex: eni.Attachment?.DeviceIndex ?? 0,
              vpcId: eni.VpcId ?? instance.VpcId ?? '',
              subnetId: eni.SubnetId ?? null,
              privateIpAddresses: (eni.PrivateIpAddresses ?? []).flatMap((p) =>
                p.PrivateIpAddress === undefined ? [] : [p.PrivateIpAddress],
              ),
              publicIps: (eni.PrivateIpAddresses ?? []).flatMap((p) =>
                p.Association?.PublicIp === undefined ? [] : [p.Association.PublicIp],
              ),
              ipv6Addresses: (eni.Ipv6Addresses ?? []).flatMap((a) =>
                a.Ipv6Address === undefined ? [] : [a.Ipv6Address],
              ),
              groups: (eni.Groups ?? []).map((g) => ({
                groupId: g.GroupId ?? '',
                groupName: g.GroupName ?? '',
              })),
            },
          ],
    )
    .sort((a, b) => a.deviceIndex - b.deviceIndex);
}

export function elasticIpsOf(addresses: readonly Address[]): InstanceCapture['elasticIps'] {
  return addresses.flatMap((a) =>
    a.AllocationId === undefined || a.AssociationId === undefined || a.NetworkInterfaceId === undefined
      ? []
      : [
          {
            allocationId: a.AllocationId,
            associationId: a.AssociationId,
            publicIp: a.PublicIp ?? '',
            networkInterfaceId: a.NetworkInterfaceId,
            privateIpAddress: a.PrivateIpAddress ?? null,
          },
        ],
  );
}
