export {
  GATEHOUSE_AUTH_OPTIONS,
  GatehouseAuthModule,
  GatehouseGuard,
  GatehouseIntrospector,
  GatehouseScopes,
  GatehouseUser,
  presentedToken,
} from './gatehouse-auth';
export type { GatehouseAuthOptions, GatehouseIdentity } from './gatehouse-auth';
