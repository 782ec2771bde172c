import { useTranslation } from 'react-i18next';
import { channelNames } from '../../../../shared/channels';

/** A channel filter's options: the choice of any channel first (its value is the select's own "no filter"), then each by name. */
export function ChannelOptions({ anyLabel, anyValue }: { anyLabel: string; anyValue: '' | 'all' }) {
  const { t } = useTranslation();
  return (
    <>
      <option value={anyValue}>{anyLabel}</option>
      {channelNames.map((c) => (
        <option key={c} value={c}>
          {t(`channel.${c}`)}
        </option>
      ))}
    </>
  );
}
