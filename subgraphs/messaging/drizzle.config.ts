import { drizzleConfig } from '@plaza/common/drizzle-config';

export default drizzleConfig('messaging');
